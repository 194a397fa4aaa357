//===- Report.h - What mcc --report reads off the module --------*- C++ -*-===//

#ifndef MCC_LIB_DRIVER_REPORT_H
#define MCC_LIB_DRIVER_REPORT_H

#include "lib/report/HtmlReport.h"

#include "mlir/IR/BuiltinOps.h"

namespace mcc {

/// The ONNX nodes of the module (onnx dialect after shape inference), each
/// with the nodes that produce its operands.
std::vector<report::Node> collectReportNodes(mlir::ModuleOp module);

/// After bufferization: the kernels profile-kernels described
/// (`mcc.profile_kernels`) and every function's recorded decisions, which
/// are removed from the module along with the request to record them.
void collectReportKernels(mlir::ModuleOp module, report::Data &data);

} // namespace mcc

#endif // MCC_LIB_DRIVER_REPORT_H
