//===- MccDialect.cpp - The mid-level mcc dialect -------------------------===//

#include "dialects/mcc/MccDialect.h"

using namespace mlir;
using namespace mcc;

#include "dialects/mcc/MccDialect.cpp.inc"

void MccDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialects/mcc/MccOps.cpp.inc"
      >();
}

LogicalResult CheckIndexOp::verify() {
  if (getMessage().empty())
    return emitOpError("needs a message naming what is indexed");
  return success();
}

#define GET_OP_CLASSES
#include "dialects/mcc/MccOps.cpp.inc"
