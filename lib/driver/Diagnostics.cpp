//===- Diagnostics.cpp - How the tools print diagnostics ------------------===//

#include "lib/driver/Diagnostics.h"

#include "dialects/onnx/OnnxDialect.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Location.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

/// "model.onnx: node 'conv1' (Conv)" for a location the importer made.
static bool describeNode(Location loc, std::string &out) {
  if (isa<FusedLoc>(loc))
    return false; // each part is described on its own
  std::string file;
  std::string node = mcc::onnx::describeNode(loc, &file);
  if (node.empty())
    return false;
  out = (file.empty() ? "" : file + ": ") + node;
  return true;
}

std::string mcc::describeLocation(Location loc) {
  std::string out;
  if (describeNode(loc, out))
    return out;
  if (auto fused = dyn_cast<FusedLoc>(loc)) {
    // Fused ops (e.g. Conv+BatchNormalization) name every node.
    std::string all;
    for (Location l : fused.getLocations())
      if (describeNode(l, out))
        all += (all.empty() ? "" : " + ") + out;
    if (!all.empty())
      return all;
  }
  if (auto fl = dyn_cast<FileLineColLoc>(loc))
    return fl.getLine() == 0
               ? fl.getFilename().str()
               : fl.getFilename().str() + ":" + std::to_string(fl.getLine());
  if (auto nl = dyn_cast<NameLoc>(loc))
    return "'" + nl.getName().str() + "'";
  if (isa<UnknownLoc>(loc))
    return "";
  std::string s;
  llvm::raw_string_ostream os(s);
  loc.print(os);
  return s;
}

std::string mcc::formatDiagnostic(const Diagnostic &d) {
  using Severity = Diagnostic::Severity;
  if (d.severity == Severity::Remark)
    return "mcc: " + d.message;
  const char *sev = d.severity == Severity::Error     ? "error"
                    : d.severity == Severity::Warning ? "warning"
                                                      : "note";
  return std::string("mcc: ") + sev + ": " +
         (d.location.empty() ? "" : d.location + ": ") + d.message;
}

mcc::DiagnosticReporter::DiagnosticReporter(MLIRContext &ctx, Handler handler)
    : ctx(ctx), handler(std::move(handler)) {
  id = ctx.getDiagEngine().registerHandler([this](mlir::Diagnostic &d) {
    using Severity = mcc::Diagnostic::Severity;
    mcc::Diagnostic out;
    out.severity =
        d.getSeverity() == DiagnosticSeverity::Error     ? Severity::Error
        : d.getSeverity() == DiagnosticSeverity::Warning ? Severity::Warning
                                                         : Severity::Note;
    out.message = d.str();
    out.location = describeLocation(d.getLocation());
    if (auto node = onnx::findNode(d.getLocation())) {
      out.node = node->name;
      out.opType = node->opType;
      out.file = node->file;
    }
    emit(out);
    // MLIR attaches the failing op's IR as a note; it is noise to a model
    // author (mcc --emit shows the IR of any stage on request).
    for (const mlir::Diagnostic &note : d.getNotes())
      if (!llvm::StringRef(note.str()).starts_with("see current operation"))
        report(Severity::Note, note.str());
    return success();
  });
}

mcc::DiagnosticReporter::~DiagnosticReporter() {
  ctx.getDiagEngine().eraseHandler(id);
}

void mcc::DiagnosticReporter::report(Diagnostic::Severity severity,
                                     const llvm::Twine &message) {
  mcc::Diagnostic d;
  d.severity = severity;
  d.message = message.str();
  emit(d);
}

void mcc::DiagnosticReporter::emit(const Diagnostic &d) {
  if (d.severity == Diagnostic::Severity::Error)
    ++errors;
  if (handler)
    handler(d);
  else
    llvm::errs() << formatDiagnostic(d) << "\n";
}
