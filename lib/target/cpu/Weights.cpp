//===- Weights.cpp - --weights=external: constants out of the object -----===//
//
// Moves the large constant globals (the weights) of an LLVM module into one
// blob, each at a 64-byte-aligned offset, and rewrites their users to
// address `mcc__weights`: a hidden pointer in the artifact that the runtime
// sets to the data of the mmapped weights file when a model is opened. Each
// function loads the pointer once at entry.
//
//===----------------------------------------------------------------------===//

#include "lib/target/cpu/CpuTarget.h"

#include "llvm/IR/Constants.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/ReplaceConstant.h"
#include "llvm/Support/xxhash.h"

#include <cstring>

using namespace llvm;

namespace {

constexpr uint64_t kMinBytes = 1024; // smaller constants stay in the object
constexpr uint64_t kAlign = 64;
constexpr char kMagic[8] = {'M', 'C', 'C', 'W', 'G', 'T', '1', '\0'};
constexpr size_t kHeaderSize = 64;

/// The initializer's bytes, or false for a shape this does not serialize.
bool appendBytes(const Constant *init, const DataLayout &dl, std::string &out) {
  if (auto *seq = dyn_cast<ConstantDataSequential>(init)) {
    StringRef raw = seq->getRawDataValues();
    out.append(raw.data(), raw.size());
    return true;
  }
  if (isa<ConstantAggregateZero>(init)) {
    out.append(dl.getTypeAllocSize(init->getType()), '\0');
    return true;
  }
  return false;
}

} // namespace

mcc::ExternalWeights mcc::externalizeWeights(Module &m, std::string &file) {
  const DataLayout &dl = m.getDataLayout();
  LLVMContext &ctx = m.getContext();
  // The data after the header; offsets are relative to its start.
  std::string data;
  SmallVector<GlobalVariable *> moved;
  SmallVector<uint64_t> offsets;
  for (GlobalVariable &g : m.globals()) {
    if (!g.isConstant() || !g.hasInitializer() ||
        dl.getTypeAllocSize(g.getValueType()) < kMinBytes)
      continue;
    uint64_t offset = alignTo(data.size(), kAlign);
    std::string bytes;
    if (!appendBytes(g.getInitializer(), dl, bytes))
      continue;
    data.resize(offset, '\0');
    data += bytes;
    moved.push_back(&g);
    offsets.push_back(offset);
  }
  ExternalWeights result;
  result.size = data.size();
  result.id = xxh3_64bits(arrayRefFromStringRef(data));
  // runtime/src/graph.h: { "MCCWGT1\0", id, size, zeros } in 64 bytes.
  file.assign(kHeaderSize, '\0');
  std::memcpy(file.data(), kMagic, sizeof kMagic);
  std::memcpy(file.data() + 8, &result.id, 8);
  std::memcpy(file.data() + 16, &result.size, 8);
  file += data;
  if (moved.empty())
    return result;

  // Constant-expression users (GEPs of the global) become instructions, so
  // every remaining user can take a runtime address.
  SmallVector<Constant *> asConstants(moved.begin(), moved.end());
  convertUsersOfConstantsToInstructions(asConstants);

  auto *ptr = PointerType::getUnqual(ctx);
  auto *slot = new GlobalVariable(
      m, ptr, /*isConstant=*/false, GlobalValue::ExternalLinkage,
      ConstantPointerNull::get(ptr), "mcc__weights");
  slot->setVisibility(GlobalValue::HiddenVisibility);
  slot->setAlignment(Align(8));
  result.slot = slot;

  DenseMap<Function *, Value *> bases;
  auto baseIn = [&](Function *f) {
    Value *&base = bases[f];
    if (!base) {
      IRBuilder<> b(&*f->getEntryBlock().getFirstInsertionPt());
      auto *load = b.CreateAlignedLoad(ptr, slot, Align(8), "mcc.weights");
      // Set once by open, before any run: loads may be hoisted freely.
      load->setMetadata(LLVMContext::MD_invariant_load, MDNode::get(ctx, {}));
      base = load;
    }
    return base;
  };
  for (auto [g, offset] : llvm::zip(moved, offsets)) {
    DenseMap<Function *, Value *> addresses;
    for (Use &use : llvm::make_early_inc_range(g->uses())) {
      auto *inst = dyn_cast<Instruction>(use.getUser());
      if (!inst)
        continue; // e.g. another global's initializer: keeps the original
      Function *f = inst->getFunction();
      Value *&addr = addresses[f];
      if (!addr) {
        Value *base = baseIn(f);
        IRBuilder<> b(cast<Instruction>(base)->getNextNode());
        addr = b.CreateConstInBoundsGEP1_64(Type::getInt8Ty(ctx), base, offset,
                                            g->getName());
      }
      use.set(addr);
    }
    if (g->use_empty())
      g->eraseFromParent();
    else
      g->setConstant(true); // still needed by a constant user; keep it
  }
  return result;
}
