//===- mcc-opt.cpp - mlir-opt with mcc's dialects and passes --------------===//

#include "lib/pipeline/Pipeline.h"

#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  mcc::registerMccDialects(registry);
  mcc::registerAllMccPasses();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "mcc optimizer driver\n", registry));
}
