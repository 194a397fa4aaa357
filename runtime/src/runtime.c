/*===- runtime.c - The runtime linked into every artifact ----------------===*
 *
 * Checks what the caller passes against the model's signature and calls the
 * generated entry. Everything here is hidden except mcc_model_get_api.
 *===---------------------------------------------------------------------===*/
#include "graph.h"
#include "parallel.h"
#include "weights.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct mcc_model {
  const mcc_graph_desc *desc;
  int num_threads;
};

static mcc_status fail(mcc_error *error, mcc_status code, const char *fmt,
                       ...) {
  if (error) {
    va_list ap;
    va_start(ap, fmt);
    error->code = code;
    vsnprintf(error->message, sizeof error->message, fmt, ap);
    va_end(ap);
  }
  return code;
}

static mcc_status model_open(const mcc_model_options *options,
                             mcc_model **model, mcc_error *error) {
  if (!model)
    return fail(error, MCC_ERROR_INVALID_ARGUMENT, "model pointer is NULL");
  if (options && options->num_threads < 0)
    return fail(error, MCC_ERROR_INVALID_ARGUMENT,
                "num_threads is %d; use 0 for every core or a positive count",
                options->num_threads);
  if (mcc__graph_desc.abi_version != MCC_ABI_VERSION)
    return fail(error, MCC_ERROR_INTERNAL, "artifact ABI %u, runtime ABI %u",
                mcc__graph_desc.abi_version, MCC_ABI_VERSION);
  mcc_model *m = (mcc_model *)calloc(1, sizeof *m);
  if (!m)
    return fail(error, MCC_ERROR_OUT_OF_MEMORY, "out of memory");
  m->desc = &mcc__graph_desc;
  char message[sizeof error->message];
  mcc_status s = mcc_rt_acquire_weights(
      m->desc, options ? options->weights_path : NULL, message, sizeof message);
  if (s != MCC_OK) {
    free(m);
    return fail(error, s, "%s", message);
  }
  m->num_threads = options && options->num_threads > 0
                       ? options->num_threads
                       : mcc_rt_default_threads();
  *model = m;
  return MCC_OK;
}

static void model_close(mcc_model *model) {
  if (!model)
    return;
  mcc_rt_release_weights(model->desc);
  free(model);
}

/* Checks one tensor against its declaration. */
static mcc_status check_tensor(const mcc_tensor *t, const mcc_tensor_info *info,
                               const char *what, mcc_error *error) {
  int64_t elements = 1; /* from the caller's dims (symbolic ones vary) */
  for (int32_t d = 0; d < info->rank; ++d)
    elements *=
        t->shape && t->rank == info->rank ? t->shape[d] : info->shape[d];
  if (!t->data && elements != 0) /* an empty tensor needs no memory */
    return fail(error, MCC_ERROR_INVALID_ARGUMENT, "%s '%s': data is NULL",
                what, info->name);
  if (t->dtype != info->dtype)
    return fail(error, MCC_ERROR_SHAPE_MISMATCH,
                "%s '%s': dtype %d given, the model expects %d", what,
                info->name, t->dtype, info->dtype);
  if (t->rank != info->rank)
    return fail(error, MCC_ERROR_SHAPE_MISMATCH,
                "%s '%s': rank %d given, the model expects %d", what,
                info->name, t->rank, info->rank);
  for (int32_t d = 0; d < info->rank; ++d)
    if (!t->shape || (info->shape[d] >= 0 && t->shape[d] != info->shape[d]))
      return fail(error, MCC_ERROR_SHAPE_MISMATCH,
                  "%s '%s': dimension %d is %lld, the model expects %lld", what,
                  info->name, d, t->shape ? (long long)t->shape[d] : -1LL,
                  (long long)info->shape[d]);
  return MCC_OK;
}

enum { kMaxArgsOnStack = 64 };

static mcc_status model_run(mcc_model *model, const mcc_tensor *inputs,
                            int32_t num_inputs, mcc_tensor *outputs,
                            int32_t num_outputs, mcc_error *error) {
  if (!model)
    return fail(error, MCC_ERROR_INVALID_ARGUMENT, "model is NULL");
  const mcc_graph_desc *g = model->desc;
  if (num_inputs != g->num_inputs || num_outputs != g->num_outputs)
    return fail(error, MCC_ERROR_INVALID_ARGUMENT,
                "%d inputs and %d outputs given, the model has %d and %d",
                num_inputs, num_outputs, g->num_inputs, g->num_outputs);
  if ((num_inputs && !inputs) || (num_outputs && !outputs))
    return fail(error, MCC_ERROR_INVALID_ARGUMENT, "tensor array is NULL");
  for (int32_t i = 0; i < num_inputs; ++i) {
    mcc_status s = check_tensor(&inputs[i], &g->inputs[i], "input", error);
    if (s != MCC_OK)
      return s;
  }
  for (int32_t i = 0; i < num_outputs; ++i) {
    mcc_status s = check_tensor(&outputs[i], &g->outputs[i], "output", error);
    if (s != MCC_OK)
      return s;
  }
  void *stack_args[kMaxArgsOnStack];
  int32_t n = num_inputs + num_outputs;
  void **args =
      n <= kMaxArgsOnStack ? stack_args : (void **)malloc(sizeof(void *) * n);
  if (!args)
    return fail(error, MCC_ERROR_OUT_OF_MEMORY, "out of memory");
  for (int32_t i = 0; i < num_inputs; ++i)
    args[i] = inputs[i].data;
  for (int32_t i = 0; i < num_outputs; ++i)
    args[num_inputs + i] = outputs[i].data;
  int previous_threads = mcc_rt_set_threads(model->num_threads);
  g->entry(args);
  mcc_rt_set_threads(previous_threads);
  if (args != stack_args)
    free(args);
  return MCC_OK;
}

static mcc_model_api api;

/* Filled once at load time, so concurrent mcc_model_get_api calls only read. */
__attribute__((constructor)) static void init_api(void) {
  api.abi_version = MCC_ABI_VERSION;
  api.name = mcc__graph_desc.name;
  api.num_inputs = mcc__graph_desc.num_inputs;
  api.num_outputs = mcc__graph_desc.num_outputs;
  api.inputs = mcc__graph_desc.inputs;
  api.outputs = mcc__graph_desc.outputs;
  api.open = model_open;
  api.run = model_run;
  api.close = model_close;
}

__attribute__((visibility("default"))) const mcc_model_api *
mcc_model_get_api(void) {
  return &api;
}
