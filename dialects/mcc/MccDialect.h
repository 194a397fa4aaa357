//===- MccDialect.h - The mid-level mcc dialect -----------------*- C++ -*-===//

#ifndef MCC_DIALECTS_MCC_MCCDIALECT_H
#define MCC_DIALECTS_MCC_MCCDIALECT_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "dialects/mcc/MccDialect.h.inc"

#define GET_OP_CLASSES
#include "dialects/mcc/MccOps.h.inc"

#endif // MCC_DIALECTS_MCC_MCCDIALECT_H
