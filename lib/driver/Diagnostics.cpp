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

mcc::DiagnosticPrinter::DiagnosticPrinter(MLIRContext &ctx) : ctx(ctx) {
  id = ctx.getDiagEngine().registerHandler([this](Diagnostic &d) {
    const char *sev = d.getSeverity() == DiagnosticSeverity::Error ? "error"
                      : d.getSeverity() == DiagnosticSeverity::Warning
                          ? "warning"
                          : "note";
    if (d.getSeverity() == DiagnosticSeverity::Error)
      ++errors;
    std::string where = describeLocation(d.getLocation());
    llvm::errs() << "mcc: " << sev << ": "
                 << (where.empty() ? "" : where + ": ") << d.str() << "\n";
    // MLIR attaches the failing op's IR as a note; it is noise to a model
    // author (mcc --emit shows the IR of any stage on request).
    for (const Diagnostic &note : d.getNotes())
      if (!llvm::StringRef(note.str()).starts_with("see current operation"))
        llvm::errs() << "mcc: note: " << note.str() << "\n";
    return success();
  });
}

mcc::DiagnosticPrinter::~DiagnosticPrinter() {
  ctx.getDiagEngine().eraseHandler(id);
}
