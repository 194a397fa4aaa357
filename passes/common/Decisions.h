//===- Decisions.h - What the passes decided, for mcc --report --*- C++ -*-===//
//
// A pass that transforms a node (folds it, changes its layout, picks a
// kernel) records one line about it when the module asks for them (the
// driver sets `mcc.record_decisions` under --report): appended to the
// enclosing function's `mcc.decisions`, [{pass, decision, loc}], which
// the report reads (and the driver removes) after bufferization. Only the
// function being transformed is written, so function passes stay free to
// run in parallel.
//
//===----------------------------------------------------------------------===//

#ifndef MCC_PASSES_COMMON_DECISIONS_H
#define MCC_PASSES_COMMON_DECISIONS_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

namespace mcc {

inline constexpr llvm::StringLiteral kRecordDecisionsAttr =
    "mcc.record_decisions";
inline constexpr llvm::StringLiteral kDecisionsAttr = "mcc.decisions";

/// Records that `pass` decided `decision` about the node(s) `loc` names,
/// in the function holding `op`.
inline void recordDecision(mlir::Operation *op, mlir::Location loc,
                           llvm::StringRef pass, const llvm::Twine &decision) {
  auto func = llvm::dyn_cast<mlir::func::FuncOp>(op);
  if (!func)
    func = op->getParentOfType<mlir::func::FuncOp>();
  auto module = func ? func->getParentOfType<mlir::ModuleOp>() : nullptr;
  if (!module || !module->hasAttr(kRecordDecisionsAttr))
    return;
  mlir::Builder b(op->getContext());
  llvm::SmallVector<mlir::Attribute> list;
  if (auto old = func->getAttrOfType<mlir::ArrayAttr>(kDecisionsAttr))
    list.append(old.begin(), old.end());
  list.push_back(b.getDictionaryAttr(
      {b.getNamedAttr("pass", b.getStringAttr(pass)),
       b.getNamedAttr("decision", b.getStringAttr(decision)),
       b.getNamedAttr("loc", mlir::LocationAttr(loc))}));
  func->setAttr(kDecisionsAttr, b.getArrayAttr(list));
}

inline void recordDecision(mlir::Operation *op, llvm::StringRef pass,
                           const llvm::Twine &decision) {
  recordDecision(op, op->getLoc(), pass, decision);
}

} // namespace mcc

#endif // MCC_PASSES_COMMON_DECISIONS_H
