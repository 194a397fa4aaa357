//===- Diagnostics.h - Where the compiler's diagnostics go ------*- C++ -*-===//

#ifndef MCC_LIB_DRIVER_DIAGNOSTICS_H
#define MCC_LIB_DRIVER_DIAGNOSTICS_H

#include "mcc/Compiler.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/Twine.h"

#include <string>

namespace mcc {

/// "model.onnx: node 'conv1' (Conv)" for an op the importer located, or the
/// plain file/location text otherwise.
std::string describeLocation(mlir::Location loc);

/// Turns every MLIR diagnostic of a context, and the driver's own messages,
/// into mcc::Diagnostic values for a handler (or lines on stderr, as
/// formatDiagnostic writes them), and counts the errors.
class DiagnosticReporter {
public:
  using Handler = std::function<void(const Diagnostic &)>;
  DiagnosticReporter(mlir::MLIRContext &ctx, Handler handler);
  ~DiagnosticReporter();
  unsigned errorCount() const { return errors; }

  /// A message about no node (a file that cannot be written, a summary).
  void report(Diagnostic::Severity severity, const llvm::Twine &message);
  void error(const llvm::Twine &message) {
    report(Diagnostic::Severity::Error, message);
  }

private:
  void emit(const Diagnostic &d);

  mlir::MLIRContext &ctx;
  Handler handler;
  mlir::DiagnosticEngine::HandlerID id;
  unsigned errors = 0;
};

} // namespace mcc

#endif // MCC_LIB_DRIVER_DIAGNOSTICS_H
