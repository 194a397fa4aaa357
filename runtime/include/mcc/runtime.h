/*===- mcc/runtime.h - The C ABI of every mcc artifact -------------------===*
 *
 * A model compiled by mcc is a shared library that exports
 *
 *   const mcc_model_api *mcc_model_get_api(void);   (for dlopen + dlsym)
 *   const mcc_model_api *<name>_api(void);          (for direct linking;
 *                                                     <name> from mcc --name)
 *
 * The API table describes the model's inputs and outputs and runs it on
 * caller-owned buffers. Weights are immutable and every call allocates its
 * own scratch, so concurrent mcc_model_api.run calls on one mcc_model are
 * safe. Tensors are dense, row-major, in the element type they declare.
 *
 * Symbolic dims (-1 in mcc_tensor_info.shape) take any size at run time.
 * An output's size then follows from the inputs: ask output_shapes for it
 * (a model that sizes an output from an input's values, e.g. Reshape with
 * a run-time shape, reads those inputs' data), allocate, then run.
 * A run uses up to mcc_model_options.num_threads threads: the caller's and
 * workers of a pool inside the artifact (pthreads; joined at unload).
 *
 *===---------------------------------------------------------------------===*/
#ifndef MCC_RUNTIME_H
#define MCC_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MCC_ABI_VERSION 6

typedef enum mcc_status {
  MCC_OK = 0,
  MCC_ERROR_INVALID_ARGUMENT = 1, /* null pointers, wrong tensor counts */
  MCC_ERROR_SHAPE_MISMATCH = 2,   /* an input's dtype, rank or dims differ,
                                     inputs whose dims do not fit together,
                                     or an output that is not the size the
                                     inputs give */
  MCC_ERROR_OUT_OF_MEMORY = 3,
  MCC_ERROR_IO = 4, /* external weights could not be read */
  MCC_ERROR_INTERNAL = 5,
  MCC_ERROR_OUT_OF_RANGE = 6 /* a value read from an input's data at run
                                time (a Gather's index, a scatter's
                                position) is outside what it indexes; the
                                message names the node and the value. The
                                outputs' contents are then undefined (no
                                memory outside the buffers was touched) */
} mcc_status;

/* Element types: the ONNX TensorProto.DataType codes. */
typedef enum mcc_dtype {
  MCC_FLOAT32 = 1,
  MCC_UINT8 = 2,
  MCC_INT8 = 3,
  MCC_UINT16 = 4,
  MCC_INT16 = 5,
  MCC_INT32 = 6,
  MCC_INT64 = 7,
  MCC_BOOL = 9,
  MCC_FLOAT16 = 10,
  MCC_FLOAT64 = 11,
  MCC_UINT32 = 12,
  MCC_UINT64 = 13,
  MCC_BFLOAT16 = 16,
  /* The float8/float4 and int4/int2 types: one element per byte (not
   * packed two or four per byte as in ONNX files). */
  MCC_FLOAT8E4M3FN = 17,
  MCC_FLOAT8E4M3FNUZ = 18,
  MCC_FLOAT8E5M2 = 19,
  MCC_FLOAT8E5M2FNUZ = 20,
  MCC_UINT4 = 21,
  MCC_INT4 = 22,
  MCC_FLOAT4E2M1 = 23,
  MCC_FLOAT8E8M0 = 24,
  MCC_UINT2 = 25,
  MCC_INT2 = 26
} mcc_dtype;

/* One input or output as the model declares it. */
typedef struct mcc_tensor_info {
  const char *name; /* the ONNX value name */
  int32_t dtype;    /* mcc_dtype */
  int32_t rank;
  const int64_t *shape;         /* rank entries; -1 marks a symbolic dim */
  const char *const *dim_names; /* rank entries; "" for fixed dims */
} mcc_tensor_info;

/* A caller-owned tensor passed to run. */
typedef struct mcc_tensor {
  void *data;
  int32_t dtype;
  int32_t rank;
  const int64_t *shape;
} mcc_tensor;

/* Filled by a call that fails: the status and a one-line message. */
typedef struct mcc_error {
  mcc_status code;
  char message[256];
} mcc_error;

typedef struct mcc_model mcc_model; /* a loaded model */

/* One kernel of an artifact compiled with `mcc --profile`: a loop nest,
 * copy or call of the graph, after fusion, with the ONNX nodes it covers
 * (the nodes fused into it) and their nominal operation count (2 per
 * multiply-add; a node shared by several kernels, e.g. a Winograd conv's
 * transforms and product, is split evenly among them; 0 when unknown, as
 * with symbolic dims). */
typedef struct mcc_kernel_info {
  const char *name; /* unique in the artifact, e.g. "main_graph_par3_conv1" */
  int32_t num_nodes;
  const char *const *nodes;    /* the ONNX node names */
  const char *const *op_types; /* and their op types */
  double flops;
} mcc_kernel_info;

/* How to load a model; zero-initialize, then set what you need. */
typedef struct mcc_model_options {
  /* Threads each run may use (the caller's thread included); 0 means every
   * core this process may run on, 1 runs on the calling thread only. */
  int32_t num_threads;
  /* Artifacts compiled with --weights=external: the weights file. NULL
   * means the one named at compile time, next to the artifact. */
  const char *weights_path;
} mcc_model_options;

typedef struct mcc_model_api {
  uint32_t abi_version; /* MCC_ABI_VERSION of the artifact */
  const char *name;     /* model name (mcc --name) */
  int32_t num_inputs;
  int32_t num_outputs;
  const mcc_tensor_info *inputs;
  const mcc_tensor_info *outputs;

  /* Loads the model. NULL options mean defaults. */
  mcc_status (*open)(const mcc_model_options *options, mcc_model **model,
                     mcc_error *error);
  /* Runs the model: inputs and outputs in declaration order; every input's
   * dtype and shape is checked; outputs must have the shapes output_shapes
   * gives (the declared ones when every dim is static). */
  mcc_status (*run)(mcc_model *model, const mcc_tensor *inputs,
                    int32_t num_inputs, mcc_tensor *outputs,
                    int32_t num_outputs, mcc_error *error);
  void (*close)(mcc_model *model);
  /* The outputs' shapes for these inputs: output i's dims are written to
   * shapes[i] (room for outputs[i].rank entries). Checks the inputs as run
   * does, including that their symbolic dims fit together (a broadcast, a
   * matmul's inner dims); the message names the ONNX node otherwise. */
  mcc_status (*output_shapes)(mcc_model *model, const mcc_tensor *inputs,
                              int32_t num_inputs, int64_t *const *shapes,
                              int32_t num_outputs, mcc_error *error);

  /* Kernels of an artifact compiled with `mcc --profile`, in the order a
   * run reaches them; 0 and NULL otherwise (its code then has no timers). */
  int32_t num_kernels;
  const mcc_kernel_info *kernels;
  /* Runs as run does and adds each kernel's wall time in nanoseconds (on
   * the calling thread, so a parallel kernel counts until its last
   * thread is done) to kernel_ns[k], num_kernels entries; kernel_ns may be
   * NULL when there are none. */
  mcc_status (*run_profiled)(mcc_model *model, const mcc_tensor *inputs,
                             int32_t num_inputs, mcc_tensor *outputs,
                             int32_t num_outputs, uint64_t *kernel_ns,
                             mcc_error *error);
} mcc_model_api;

const mcc_model_api *mcc_model_get_api(void);

/* Size in bytes of one element of `dtype`, 0 if unknown. */
static inline size_t mcc_dtype_size(int32_t dtype) {
  switch (dtype) {
  case MCC_BOOL:
  case MCC_UINT8:
  case MCC_INT8:
  case MCC_FLOAT8E4M3FN:
  case MCC_FLOAT8E4M3FNUZ:
  case MCC_FLOAT8E5M2:
  case MCC_FLOAT8E5M2FNUZ:
  case MCC_UINT4:
  case MCC_INT4:
  case MCC_FLOAT4E2M1:
  case MCC_FLOAT8E8M0:
  case MCC_UINT2:
  case MCC_INT2:
    return 1;
  case MCC_UINT16:
  case MCC_INT16:
  case MCC_FLOAT16:
  case MCC_BFLOAT16:
    return 2;
  case MCC_FLOAT32:
  case MCC_INT32:
  case MCC_UINT32:
    return 4;
  case MCC_FLOAT64:
  case MCC_INT64:
  case MCC_UINT64:
    return 8;
  default:
    return 0;
  }
}

#ifdef __cplusplus
}
#endif

#endif /* MCC_RUNTIME_H */
