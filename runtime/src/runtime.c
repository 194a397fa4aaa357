/*===- runtime.c - The runtime linked into every artifact ----------------===*
 *
 * Checks what the caller passes against the model's signature and calls the
 * generated entry. Everything here is hidden except mcc_model_get_api.
 *===---------------------------------------------------------------------===*/
#include "checks.h"
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

/* Checks one tensor against its declaration: dtype, rank, every dim (a
 * symbolic one takes any size >= 0), then the data pointer, which may be
 * NULL only for an empty tensor. */
static mcc_status check_tensor(const mcc_tensor *t, const mcc_tensor_info *info,
                               const char *what, mcc_error *error) {
  if (t->dtype != info->dtype)
    return fail(error, MCC_ERROR_SHAPE_MISMATCH,
                "%s '%s': dtype %d given, the model expects %d", what,
                info->name, t->dtype, info->dtype);
  if (t->rank != info->rank)
    return fail(error, MCC_ERROR_SHAPE_MISMATCH,
                "%s '%s': rank %d given, the model expects %d", what,
                info->name, t->rank, info->rank);
  if (info->rank && !t->shape)
    return fail(error, MCC_ERROR_INVALID_ARGUMENT, "%s '%s': shape is NULL",
                what, info->name);
  /* Elements times the element size must fit in the address space; an
   * empty tensor may have any other dims. */
  uint64_t bytes =
      mcc_dtype_size(info->dtype) ? mcc_dtype_size(info->dtype) : 1;
  const uint64_t limit = (uint64_t)1 << 56;
  int empty = 0, huge = 0;
  for (int32_t d = 0; d < info->rank; ++d) {
    int64_t n = t->shape[d];
    if (n < 0 || (info->shape[d] >= 0 && n != info->shape[d]))
      return fail(error, MCC_ERROR_SHAPE_MISMATCH,
                  "%s '%s': dimension %d is %lld, the model expects %s%lld",
                  what, info->name, d, (long long)n,
                  info->shape[d] < 0 ? "a size >= " : "",
                  (long long)(info->shape[d] < 0 ? 0 : info->shape[d]));
    if (n == 0)
      empty = 1;
    else if (huge || (uint64_t)n > limit / bytes)
      huge = 1;
    else
      bytes *= (uint64_t)n;
  }
  if (empty)
    return MCC_OK;
  if (huge)
    return fail(error, MCC_ERROR_INVALID_ARGUMENT,
                "%s '%s': its dims make more than 2^56 bytes", what,
                info->name);
  if (!t->data)
    return fail(error, MCC_ERROR_INVALID_ARGUMENT, "%s '%s': data is NULL",
                what, info->name);
  return MCC_OK;
}

enum { kMaxArgsOnStack = 64, kMaxDimsOnStack = 256 };

/* Checks the call's tensor counts and every input against the signature. */
static mcc_status check_inputs(const mcc_graph_desc *g,
                               const mcc_tensor *inputs, int32_t num_inputs,
                               int32_t num_outputs, mcc_error *error) {
  if (num_inputs != g->num_inputs || num_outputs != g->num_outputs)
    return fail(error, MCC_ERROR_INVALID_ARGUMENT,
                "%d inputs and %d outputs given, the model has %d and %d",
                num_inputs, num_outputs, g->num_inputs, g->num_outputs);
  if (num_inputs && !inputs)
    return fail(error, MCC_ERROR_INVALID_ARGUMENT, "tensor array is NULL");
  for (int32_t i = 0; i < num_inputs; ++i) {
    mcc_status s = check_tensor(&inputs[i], &g->inputs[i], "input", error);
    if (s != MCC_OK)
      return s;
  }
  return MCC_OK;
}

static int64_t total_output_rank(const mcc_graph_desc *g) {
  int64_t n = 0;
  for (int32_t i = 0; i < g->num_outputs; ++i)
    n += g->outputs[i].rank;
  return n;
}

/* Pointer arrays for the generated code: data and dims of the inputs, then
 * of the outputs (NULL before the outputs are known). */
typedef struct call_args {
  void **data;
  const int64_t **shapes;
  void *stack[2 * kMaxArgsOnStack];
} call_args;

static mcc_status make_args(call_args *c, int32_t n, mcc_error *error) {
  if (n <= kMaxArgsOnStack) {
    c->data = c->stack;
    c->shapes = (const int64_t **)(c->stack + kMaxArgsOnStack);
    return MCC_OK;
  }
  c->data = (void **)malloc(sizeof(void *) * 2 * (size_t)n);
  if (!c->data)
    return fail(error, MCC_ERROR_OUT_OF_MEMORY, "out of memory");
  c->shapes = (const int64_t **)(c->data + n);
  return MCC_OK;
}

static void free_args(call_args *c) {
  if (c->data != c->stack)
    free(c->data);
}

static void format_shape(char *buf, size_t size, const int64_t *dims,
                         int32_t rank) {
  size_t used = 0;
  buf[0] = 0;
  for (int32_t d = 0; d < rank && used + 1 < size; ++d)
    used += (size_t)snprintf(buf + used, size - used, d ? "x%lld" : "%lld",
                             (long long)dims[d]);
  if (rank == 0)
    snprintf(buf, size, "a scalar");
}

/* Runs fn(arg) with `run` as this thread's record and a way out for an
 * allocation that fails (a size read from hostile data): returns 0, or 1
 * after such a failure, with the blocks the run held freed. Those are
 * freed as well when fn returns non-zero (a shape function's failed check
 * returns before the frees that would follow). */
static int run_guarded(int (*fn)(void *), void *arg, mcc_rt_run_record *run) {
  jmp_buf escape;
  mcc_rt_run_record *previous = mcc_rt_set_run(run);
  run->escape = &escape;
  if (setjmp(escape)) {
    run->escape = NULL;
    mcc_rt_release_run_blocks(run);
    mcc_rt_set_run(previous);
    return 1;
  }
  int failed = fn(arg);
  run->escape = NULL;
  if (failed)
    mcc_rt_release_run_blocks(run);
  else
    mcc_rt_forget_run_blocks(run);
  mcc_rt_set_run(previous);
  return 0;
}

static mcc_status out_of_memory(const mcc_rt_run_record *run,
                                mcc_error *error) {
  if (run->failed_bytes == SIZE_MAX)
    return fail(error, MCC_ERROR_OUT_OF_MEMORY,
                "out of memory: the run needs a buffer of more than 2^48 "
                "bytes (sized from the inputs' dims or data)");
  return fail(error, MCC_ERROR_OUT_OF_MEMORY,
              "out of memory: the run needs a buffer of %zu bytes (sized "
              "from the inputs' dims or data)",
              run->failed_bytes);
}

typedef struct shapes_call {
  const mcc_graph_desc *g;
  call_args *c;
  int64_t *dims;
  int32_t failed;
} shapes_call;

static int call_shapes(void *arg) {
  shapes_call *s = arg;
  s->failed = s->g->shapes(s->c->data, s->c->shapes, s->dims);
  return s->failed;
}

typedef struct entry_call {
  const mcc_graph_desc *g;
  call_args *c;
} entry_call;

static int call_entry(void *arg) {
  entry_call *e = arg;
  e->g->entry(e->c->data, e->c->shapes);
  return 0;
}

/* Runs the model's shape function on the inputs in `c`: every output's dims
 * into `dims` (total_output_rank entries). A failed check names the inputs'
 * shapes and the node whose check failed. */
static mcc_status compute_shapes(const mcc_graph_desc *g, call_args *c,
                                 int64_t *dims, mcc_rt_run_record *run,
                                 mcc_error *error) {
  shapes_call call = {g, c, dims, 0};
  if (run_guarded(call_shapes, &call, run))
    return out_of_memory(run, error);
  int32_t failed = call.failed;
  if (failed == 0)
    return MCC_OK;
  char shapes[128];
  size_t used = 0;
  shapes[0] = 0;
  for (int32_t i = 0; i < g->num_inputs && used + 1 < sizeof shapes; ++i) {
    char one[64];
    format_shape(one, sizeof one, c->shapes[i], g->inputs[i].rank);
    used += (size_t)snprintf(shapes + used, sizeof shapes - used, "%s%s %s",
                             i ? ", " : "", g->inputs[i].name, one);
  }
  const char *what = failed > 0 && failed <= g->num_checks
                         ? g->check_messages[failed - 1]
                         : "their dimensions do not fit together";
  return fail(error, MCC_ERROR_SHAPE_MISMATCH, "inputs (%s) do not fit: %s",
              shapes, what);
}

/* The error for the first check that failed in a run, if any. */
static mcc_status run_failure(const mcc_graph_desc *g,
                              const mcc_rt_run_record *run, mcc_error *error) {
  int check = atomic_load(&run->check);
  if (check == 0)
    return MCC_OK;
  const char *what = check > 0 && check <= g->num_index_checks
                         ? g->index_check_messages[check - 1]
                         : "an index read from the inputs";
  if (run->bound == 0)
    return fail(error, MCC_ERROR_OUT_OF_RANGE,
                "%s is %lld, but that dimension is empty", what,
                (long long)run->value);
  return fail(error, MCC_ERROR_OUT_OF_RANGE, "%s is %lld, outside [%lld, %lld]",
              what, (long long)run->value, (long long)run->lowest,
              (long long)run->bound - 1);
}

/* Room for every output's dims: `stack` when it is big enough. */
static int64_t *output_dims(const mcc_graph_desc *g, int64_t *stack) {
  int64_t total = total_output_rank(g);
  return total <= kMaxDimsOnStack
             ? stack
             : (int64_t *)malloc(sizeof(int64_t) * (size_t)total);
}

static mcc_status model_output_shapes(mcc_model *model,
                                      const mcc_tensor *inputs,
                                      int32_t num_inputs,
                                      int64_t *const *shapes,
                                      int32_t num_outputs, mcc_error *error) {
  if (!model)
    return fail(error, MCC_ERROR_INVALID_ARGUMENT, "model is NULL");
  const mcc_graph_desc *g = model->desc;
  mcc_status s = check_inputs(g, inputs, num_inputs, num_outputs, error);
  if (s != MCC_OK)
    return s;
  if (num_outputs && !shapes)
    return fail(error, MCC_ERROR_INVALID_ARGUMENT, "shapes array is NULL");
  for (int32_t i = 0; i < num_outputs; ++i)
    if (!shapes[i] && g->outputs[i].rank)
      return fail(error, MCC_ERROR_INVALID_ARGUMENT,
                  "shapes[%d] (output '%s') is NULL", i, g->outputs[i].name);
  if (!g->shapes) {
    for (int32_t i = 0; i < num_outputs; ++i)
      memcpy(shapes[i], g->outputs[i].shape,
             sizeof(int64_t) * (size_t)g->outputs[i].rank);
    return MCC_OK;
  }
  call_args c;
  s = make_args(&c, num_inputs, error);
  if (s != MCC_OK)
    return s;
  int64_t stack_dims[kMaxDimsOnStack];
  int64_t *dims = output_dims(g, stack_dims);
  if (!dims) {
    free_args(&c);
    return fail(error, MCC_ERROR_OUT_OF_MEMORY, "out of memory");
  }
  for (int32_t i = 0; i < num_inputs; ++i) {
    c.data[i] = inputs[i].data;
    c.shapes[i] = inputs[i].shape;
  }
  mcc_rt_run_record run = {0};
  s = compute_shapes(g, &c, dims, &run, error);
  if (s == MCC_OK)
    s = run_failure(g, &run, error);
  for (int32_t i = 0, at = 0; s == MCC_OK && i < num_outputs;
       at += g->outputs[i].rank, ++i)
    memcpy(shapes[i], dims + at, sizeof(int64_t) * (size_t)g->outputs[i].rank);
  if (dims != stack_dims)
    free(dims);
  free_args(&c);
  return s;
}

/* A run; kernel_ns (profiled runs of --profile artifacts) gets each
 * kernel's time added. */
static mcc_status run_model(mcc_model *model, const mcc_tensor *inputs,
                            int32_t num_inputs, mcc_tensor *outputs,
                            int32_t num_outputs, uint64_t *kernel_ns,
                            mcc_error *error) {
  if (!model)
    return fail(error, MCC_ERROR_INVALID_ARGUMENT, "model is NULL");
  const mcc_graph_desc *g = model->desc;
  mcc_status s = check_inputs(g, inputs, num_inputs, num_outputs, error);
  if (s != MCC_OK)
    return s;
  if (num_outputs && !outputs)
    return fail(error, MCC_ERROR_INVALID_ARGUMENT, "tensor array is NULL");
  for (int32_t i = 0; i < num_outputs; ++i) {
    s = check_tensor(&outputs[i], &g->outputs[i], "output", error);
    if (s != MCC_OK)
      return s;
  }
  call_args c;
  int32_t n = num_inputs + num_outputs;
  s = make_args(&c, n, error);
  if (s != MCC_OK)
    return s;
  for (int32_t i = 0; i < num_inputs; ++i) {
    c.data[i] = inputs[i].data;
    c.shapes[i] = inputs[i].shape;
  }
  for (int32_t i = 0; i < num_outputs; ++i) {
    c.data[num_inputs + i] = outputs[i].data;
    c.shapes[num_inputs + i] = outputs[i].shape;
  }
  /* Checks of indices read from the data report here, from every thread
   * the run uses (the shape function may read some too). */
  mcc_rt_run_record run = {0};
  if (g->shapes) {
    /* The graph trusts its dims: check the inputs fit together and the
     * outputs are the size they give before it runs. */
    int64_t stack_dims[kMaxDimsOnStack];
    int64_t *dims = output_dims(g, stack_dims);
    if (!dims)
      s = fail(error, MCC_ERROR_OUT_OF_MEMORY, "out of memory");
    else
      s = compute_shapes(g, &c, dims, &run, error);
    for (int32_t i = 0, at = 0; s == MCC_OK && i < num_outputs;
         at += g->outputs[i].rank, ++i) {
      if (!memcmp(outputs[i].shape, dims + at,
                  sizeof(int64_t) * (size_t)g->outputs[i].rank))
        continue;
      char want[96], got[96];
      format_shape(want, sizeof want, dims + at, g->outputs[i].rank);
      format_shape(got, sizeof got, outputs[i].shape, g->outputs[i].rank);
      s = fail(error, MCC_ERROR_SHAPE_MISMATCH,
               "output '%s' is %s, these inputs make it %s", g->outputs[i].name,
               got, want);
    }
    if (dims && dims != stack_dims)
      free(dims);
    if (s == MCC_OK)
      s = run_failure(g, &run, error);
    if (s != MCC_OK) {
      free_args(&c);
      return s;
    }
  }
  run.kernel_ns = g->num_kernels ? kernel_ns : NULL;
  int previous_threads = mcc_rt_set_threads(model->num_threads);
  entry_call call = {g, &c};
  run.profile_last = run.kernel_ns ? mcc_rt_now_ns() : 0;
  int escaped = run_guarded(call_entry, &call, &run);
  mcc_rt_set_threads(previous_threads);
  free_args(&c);
  return escaped ? out_of_memory(&run, error) : run_failure(g, &run, error);
}

static mcc_status model_run(mcc_model *model, const mcc_tensor *inputs,
                            int32_t num_inputs, mcc_tensor *outputs,
                            int32_t num_outputs, mcc_error *error) {
  return run_model(model, inputs, num_inputs, outputs, num_outputs, NULL,
                   error);
}

static mcc_status model_run_profiled(mcc_model *model, const mcc_tensor *inputs,
                                     int32_t num_inputs, mcc_tensor *outputs,
                                     int32_t num_outputs, uint64_t *kernel_ns,
                                     mcc_error *error) {
  if (model && model->desc->num_kernels && !kernel_ns)
    return fail(error, MCC_ERROR_INVALID_ARGUMENT,
                "kernel_ns is NULL; the model has %d kernels",
                model->desc->num_kernels);
  return run_model(model, inputs, num_inputs, outputs, num_outputs, kernel_ns,
                   error);
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
  api.output_shapes = model_output_shapes;
  api.num_kernels = mcc__graph_desc.num_kernels;
  api.kernels = mcc__graph_desc.kernels;
  api.run_profiled = model_run_profiled;
}

__attribute__((visibility("default"))) const mcc_model_api *
mcc_model_get_api(void) {
  return &api;
}
