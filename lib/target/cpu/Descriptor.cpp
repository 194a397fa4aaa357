//===- Descriptor.cpp - The model descriptor the runtime reads ------------===//
//
// Builds, in LLVM IR, the `mcc_graph_desc` of runtime/src/graph.h: the
// inputs' and outputs' names, dtypes, shapes and dim names, and an entry
// wrapper `void mcc__entry(void **args)` around the graph function. Also
// makes every other definition internal, so the artifact exports only the
// runtime ABI.
//
//===----------------------------------------------------------------------===//

#include "lib/target/CHeader.h"
#include "lib/target/cpu/CpuTarget.h"
#include "mcc/runtime.h"

#include "llvm/IR/IRBuilder.h"

using namespace llvm;

namespace {

Error makeError(const Twine &msg) {
  return createStringError(inconvertibleErrorCode(), msg);
}

struct DescriptorBuilder {
  Module &m;
  LLVMContext &ctx;
  PointerType *ptr;
  Type *i32, *i64;
  StructType *infoType;

  explicit DescriptorBuilder(Module &m)
      : m(m), ctx(m.getContext()), ptr(PointerType::getUnqual(m.getContext())),
        i32(Type::getInt32Ty(ctx)), i64(Type::getInt64Ty(ctx)) {
    // mcc_tensor_info { const char *name; i32 dtype; i32 rank;
    //                   const i64 *shape; const char *const *dim_names; }
    infoType = StructType::get(ctx, {ptr, i32, i32, ptr, ptr});
  }

  GlobalVariable *privateConst(Constant *init, const Twine &name) {
    return new GlobalVariable(m, init->getType(), /*isConstant=*/true,
                              GlobalValue::PrivateLinkage, init, name);
  }

  Constant *string(StringRef s) {
    return privateConst(ConstantDataArray::getString(ctx, s), "mcc.str");
  }

  Constant *infoArray(ArrayRef<mcc::TensorSignature> tensors, StringRef kind) {
    SmallVector<Constant *> infos;
    for (const auto &t : tensors) {
      SmallVector<Constant *> dims, names;
      for (int64_t d : t.shape)
        dims.push_back(ConstantInt::get(i64, d));
      for (const auto &n : t.dimNames)
        names.push_back(string(n));
      Constant *shape =
          dims.empty()
              ? Constant::getNullValue(ptr)
              : privateConst(
                    ConstantArray::get(ArrayType::get(i64, dims.size()), dims),
                    "mcc.shape");
      Constant *dimNames =
          names.empty()
              ? Constant::getNullValue(ptr)
              : privateConst(ConstantArray::get(
                                 ArrayType::get(ptr, names.size()), names),
                             "mcc.dimnames");
      infos.push_back(ConstantStruct::get(
          infoType, {string(t.name), ConstantInt::get(i32, t.dtype),
                     ConstantInt::get(i32, t.shape.size()), shape, dimNames}));
    }
    if (infos.empty())
      return Constant::getNullValue(ptr);
    return privateConst(
        ConstantArray::get(ArrayType::get(infoType, infos.size()), infos),
        "mcc." + kind);
  }
};

} // namespace

Error mcc::addModelDescriptor(Module &m, StringRef graphFn,
                              const ModelSignature &sig,
                              const ExternalWeights &weights) {
  Function *graph = m.getFunction(graphFn);
  if (!graph)
    return makeError("graph function '" + graphFn + "' not found");
  size_t numArgs = sig.inputs.size() + sig.outputs.size();
  if (graph->arg_size() != numArgs)
    return makeError("graph function takes " + Twine(graph->arg_size()) +
                     " pointers, the signature has " + Twine(numArgs) +
                     " tensors");
  DescriptorBuilder db(m);
  LLVMContext &ctx = m.getContext();
  IRBuilder<> b(ctx);

  // void mcc__entry(void **args): unpack and call the graph.
  auto *entryTy = FunctionType::get(Type::getVoidTy(ctx), {db.ptr}, false);
  Function *entry =
      Function::Create(entryTy, GlobalValue::InternalLinkage, "mcc__entry", m);
  b.SetInsertPoint(BasicBlock::Create(ctx, "entry", entry));
  SmallVector<Value *> args;
  for (size_t i = 0; i < numArgs; ++i) {
    Value *slot = b.CreateConstGEP1_64(db.ptr, entry->getArg(0), i);
    args.push_back(b.CreateLoad(db.ptr, slot));
  }
  b.CreateCall(graph, args);
  b.CreateRetVoid();

  // Everything the compiler generated is internal to the artifact.
  for (Function &f : m)
    if (!f.isDeclaration())
      f.setLinkage(GlobalValue::InternalLinkage);

  // runtime/src/graph.h: mcc_graph_desc.
  StructType *descTy =
      StructType::get(ctx, {db.i32, db.i32, db.i32, db.i32, db.ptr, db.ptr,
                            db.ptr, db.ptr, db.ptr, db.i64, db.i64, db.ptr});
  bool external = !weights.fileName.empty();
  Constant *null = Constant::getNullValue(db.ptr);
  Constant *desc = ConstantStruct::get(
      descTy, {ConstantInt::get(db.i32, MCC_ABI_VERSION),
               ConstantInt::get(db.i32, sig.inputs.size()),
               ConstantInt::get(db.i32, sig.outputs.size()),
               ConstantInt::get(db.i32, 0), db.infoArray(sig.inputs, "inputs"),
               db.infoArray(sig.outputs, "outputs"), entry, db.string(sig.name),
               external ? db.string(weights.fileName) : null,
               ConstantInt::get(db.i64, weights.size),
               ConstantInt::get(db.i64, weights.id),
               weights.slot ? static_cast<Constant *>(weights.slot) : null});
  auto *gv = new GlobalVariable(m, descTy, true, GlobalValue::ExternalLinkage,
                                desc, "mcc__graph_desc");
  gv->setVisibility(GlobalValue::HiddenVisibility);

  // const mcc_model_api *<name>_api(void), for direct linking.
  FunctionCallee getApi = m.getOrInsertFunction(
      "mcc_model_get_api", FunctionType::get(db.ptr, false));
  Function *named = Function::Create(FunctionType::get(db.ptr, false),
                                     GlobalValue::ExternalLinkage,
                                     toCIdentifier(sig.name) + "_api", m);
  b.SetInsertPoint(BasicBlock::Create(ctx, "entry", named));
  b.CreateRet(b.CreateCall(getApi));
  return Error::success();
}
