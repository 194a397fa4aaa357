//===- Diagnostics.cpp - How the tools print diagnostics ------------------===//

#include "lib/driver/Diagnostics.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Location.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

/// The importer's form: NameLoc(node, NameLoc(op_type, file:index:0)).
static bool describeNode(Location loc, std::string &out) {
  auto node = dyn_cast<NameLoc>(loc);
  if (!node)
    return false;
  auto opType = dyn_cast<NameLoc>(node.getChildLoc());
  if (!opType)
    return false;
  std::string file;
  if (auto fl = dyn_cast<FileLineColLoc>(opType.getChildLoc()))
    file = fl.getFilename().str() + ": ";
  out = file + "node '" + node.getName().str() + "' (" +
        opType.getName().str() + ")";
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
