//===- Diagnostics.h - How the tools print diagnostics ----------*- C++ -*-===//

#ifndef MCC_LIB_DRIVER_DIAGNOSTICS_H
#define MCC_LIB_DRIVER_DIAGNOSTICS_H

#include "mlir/IR/Diagnostics.h"

#include <string>

namespace mcc {

/// "model.onnx: node 'conv1' (Conv)" for an op the importer located, or the
/// plain file/location text otherwise.
std::string describeLocation(mlir::Location loc);

/// Prints every diagnostic as one line `mcc: error: <where>: <message>` and
/// counts the errors.
class DiagnosticPrinter {
public:
  explicit DiagnosticPrinter(mlir::MLIRContext &ctx);
  ~DiagnosticPrinter();
  unsigned errorCount() const { return errors; }

private:
  mlir::MLIRContext &ctx;
  mlir::DiagnosticEngine::HandlerID id;
  unsigned errors = 0;
};

} // namespace mcc

#endif // MCC_LIB_DRIVER_DIAGNOSTICS_H
