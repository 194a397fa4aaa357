//===- Descriptor.cpp - The model descriptor the runtime reads ------------===//
//
// Builds, in LLVM IR, the `mcc_graph_desc` of runtime/src/graph.h: the
// inputs' and outputs' names, dtypes, shapes and dim names, an entry
// wrapper `void mcc__entry(void **args, const int64_t *const *shapes)`
// around the graph function and, for symbolic dims, `mcc__shapes` around
// the shape function with the messages of its checks. Also
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

namespace {

/// The arguments of a generated function for tensors `tensors` whose data
/// pointers are `args[base + i]` and dims `shapes[base + i]`: one pointer
/// each (bare pointers), or a memref descriptor expanded into scalars
/// (allocated and aligned pointer, offset, sizes, strides), with a symbolic
/// dim read from the caller's shape and row-major strides.
void pushTensorArgs(IRBuilder<> &b, DescriptorBuilder &db, Value *args,
                    Value *shapes, size_t base,
                    ArrayRef<mcc::TensorSignature> tensors, bool descriptors,
                    SmallVectorImpl<Value *> &out) {
  for (size_t i = 0; i < tensors.size(); ++i) {
    Value *data = b.CreateLoad(
        db.ptr, b.CreateConstGEP1_64(db.ptr, args, base + i), "data");
    out.push_back(data);
    if (!descriptors)
      continue;
    const auto &shape = tensors[i].shape;
    Value *dims = nullptr;
    if (llvm::is_contained(shape, -1))
      dims = b.CreateLoad(
          db.ptr, b.CreateConstGEP1_64(db.ptr, shapes, base + i), "dims");
    SmallVector<Value *> sizes;
    for (size_t d = 0; d < shape.size(); ++d)
      sizes.push_back(
          shape[d] >= 0
              ? static_cast<Value *>(ConstantInt::get(db.i64, shape[d]))
              : b.CreateLoad(db.i64, b.CreateConstGEP1_64(db.i64, dims, d)));
    SmallVector<Value *> strides(shape.size());
    Value *stride = ConstantInt::get(db.i64, 1);
    for (size_t d = shape.size(); d-- > 0;) {
      strides[d] = stride;
      stride = b.CreateMul(stride, sizes[d]);
    }
    out.push_back(data);
    out.push_back(ConstantInt::get(db.i64, 0));
    llvm::append_range(out, sizes);
    llvm::append_range(out, strides);
  }
}

size_t descriptorArgs(ArrayRef<mcc::TensorSignature> tensors) {
  size_t n = 0;
  for (const auto &t : tensors)
    n += 3 + 2 * t.shape.size();
  return n;
}

} // namespace

Error mcc::addModelDescriptor(Module &m, StringRef graphFn,
                              const ModelSignature &sig,
                              const ExternalWeights &weights,
                              ArrayRef<std::string> shapeChecks,
                              ArrayRef<std::string> indexChecks,
                              ArrayRef<ProfiledKernel> kernels) {
  Function *graph = m.getFunction(graphFn);
  if (!graph)
    return makeError("graph function '" + graphFn + "' not found");
  SmallVector<TensorSignature> all(sig.inputs.begin(), sig.inputs.end());
  llvm::append_range(all, sig.outputs);
  // Bare pointers, or memref descriptors (models with symbolic dims).
  bool descriptors = graph->arg_size() != all.size();
  if (descriptors && graph->arg_size() != descriptorArgs(all))
    return makeError("graph function takes " + Twine(graph->arg_size()) +
                     " arguments, the signature has " + Twine(all.size()) +
                     " tensors");
  DescriptorBuilder db(m);
  LLVMContext &ctx = m.getContext();
  IRBuilder<> b(ctx);

  // void mcc__entry(void **args, const int64_t *const *shapes): unpack and
  // call the graph.
  auto *entryTy =
      FunctionType::get(Type::getVoidTy(ctx), {db.ptr, db.ptr}, false);
  Function *entry =
      Function::Create(entryTy, GlobalValue::InternalLinkage, "mcc__entry", m);
  b.SetInsertPoint(BasicBlock::Create(ctx, "entry", entry));
  SmallVector<Value *> args;
  pushTensorArgs(b, db, entry->getArg(0), entry->getArg(1), 0, all, descriptors,
                 args);
  b.CreateCall(graph, args);
  b.CreateRetVoid();

  // int32_t mcc__shapes(void **args, const int64_t *const *shapes,
  //                     int64_t *dims): the shape function, when there is
  // one (create-shape-function), on the inputs; its result buffer is dims.
  Constant *shapes = Constant::getNullValue(db.ptr);
  if (Function *shapeFn = m.getFunction((graphFn + "_shapes").str())) {
    if (shapeFn->arg_size() != descriptorArgs(sig.inputs) + 5)
      return makeError("shape function takes " + Twine(shapeFn->arg_size()) +
                       " arguments, expected descriptors of " +
                       Twine(sig.inputs.size()) + " inputs and one result");
    size_t total = 0;
    for (const auto &t : sig.outputs)
      total += t.shape.size();
    auto *fnTy = FunctionType::get(db.i32, {db.ptr, db.ptr, db.ptr}, false);
    Function *wrapper =
        Function::Create(fnTy, GlobalValue::InternalLinkage, "mcc__shapes", m);
    b.SetInsertPoint(BasicBlock::Create(ctx, "entry", wrapper));
    SmallVector<Value *> shapeArgs;
    pushTensorArgs(b, db, wrapper->getArg(0), wrapper->getArg(1), 0, sig.inputs,
                   true, shapeArgs);
    Value *dims = wrapper->getArg(2);
    shapeArgs.append({dims, dims, ConstantInt::get(db.i64, 0),
                      ConstantInt::get(db.i64, std::max<size_t>(total, 1)),
                      ConstantInt::get(db.i64, 1)});
    b.CreateRet(b.CreateCall(shapeFn, shapeArgs));
    shapes = wrapper;
  }
  auto messageArray = [&](ArrayRef<std::string> strings, StringRef name) {
    SmallVector<Constant *> messages;
    for (const std::string &msg : strings)
      messages.push_back(db.string(msg));
    return messages.empty()
               ? Constant::getNullValue(db.ptr)
               : db.privateConst(
                     ConstantArray::get(ArrayType::get(db.ptr, messages.size()),
                                        messages),
                     name);
  };
  Constant *checkMessages = messageArray(shapeChecks, "mcc.checks");
  Constant *indexMessages = messageArray(indexChecks, "mcc.index_checks");
  // mcc_kernel_info { const char *name; i32 num_nodes;
  //                   const char *const *nodes, *op_types; double flops; }
  StructType *kernelTy = StructType::get(
      ctx, {db.ptr, db.i32, db.ptr, db.ptr, Type::getDoubleTy(ctx)});
  SmallVector<Constant *> kernelInfos;
  for (const ProfiledKernel &k : kernels)
    kernelInfos.push_back(ConstantStruct::get(
        kernelTy, {db.string(k.name), ConstantInt::get(db.i32, k.nodes.size()),
                   messageArray(k.nodes, "mcc.kernel_nodes"),
                   messageArray(k.opTypes, "mcc.kernel_ops"),
                   ConstantFP::get(Type::getDoubleTy(ctx), k.flops)}));
  Constant *kernelArray =
      kernelInfos.empty()
          ? Constant::getNullValue(db.ptr)
          : db.privateConst(
                ConstantArray::get(ArrayType::get(kernelTy, kernelInfos.size()),
                                   kernelInfos),
                "mcc.kernels");

  // Everything the compiler generated is internal to the artifact.
  for (Function &f : m)
    if (!f.isDeclaration())
      f.setLinkage(GlobalValue::InternalLinkage);

  // runtime/src/graph.h: mcc_graph_desc.
  StructType *descTy =
      StructType::get(ctx, {db.i32, db.i32, db.i32, db.i32, db.ptr, db.ptr,
                            db.ptr, db.ptr, db.ptr, db.ptr, db.ptr, db.i64,
                            db.i64, db.ptr, db.i32, db.ptr, db.i32, db.ptr});
  bool external = !weights.fileName.empty();
  Constant *null = Constant::getNullValue(db.ptr);
  Constant *desc = ConstantStruct::get(
      descTy,
      {ConstantInt::get(db.i32, MCC_ABI_VERSION),
       ConstantInt::get(db.i32, sig.inputs.size()),
       ConstantInt::get(db.i32, sig.outputs.size()),
       ConstantInt::get(db.i32, shapeChecks.size()),
       db.infoArray(sig.inputs, "inputs"), db.infoArray(sig.outputs, "outputs"),
       entry, shapes, checkMessages, db.string(sig.name),
       external ? db.string(weights.fileName) : null,
       ConstantInt::get(db.i64, weights.size),
       ConstantInt::get(db.i64, weights.id),
       weights.slot ? static_cast<Constant *>(weights.slot) : null,
       ConstantInt::get(db.i32, indexChecks.size()), indexMessages,
       ConstantInt::get(db.i32, kernels.size()), kernelArray});
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
