/*===- graph.h - What the compiler emits for the runtime (private) -------===*
 *
 * The generated object defines `mcc__graph_desc` (hidden) with this layout;
 * lib/target/cpu/Descriptor.cpp builds the same struct in LLVM IR, so the
 * two must change together (MCC_ABI_VERSION guards it).
 *===---------------------------------------------------------------------===*/
#ifndef MCC_RUNTIME_GRAPH_H
#define MCC_RUNTIME_GRAPH_H

#include "mcc/runtime.h"

typedef struct mcc_graph_desc {
  uint32_t abi_version;
  int32_t num_inputs;
  int32_t num_outputs;
  int32_t num_checks; /* entries of check_messages */
  const mcc_tensor_info *inputs;
  const mcc_tensor_info *outputs;
  /* args: input data pointers, then output data pointers; shapes: the
   * same tensors' dims (a graph with static shapes ignores them) */
  void (*entry)(void **args, const int64_t *const *shapes);
  /* NULL when every dim is static. Otherwise computes every output's dims
   * (output after output, in `dims`) from the inputs in args/shapes and
   * returns 0, or k when check k (1-based) on the inputs fails. */
  int32_t (*shapes)(void **args, const int64_t *const *shapes, int64_t *dims);
  const char *const *check_messages; /* "node 'x' (Add): ..." per check */
  const char *name;
  /* --weights=external; NULL/0 when the weights are embedded. */
  const char *weights_file;  /* file name, looked up next to the artifact */
  uint64_t weights_size;     /* bytes of data after the file's header */
  uint64_t weights_id;       /* content hash, also in the file's header */
  const void **weights_slot; /* the runtime stores the data's address here */
  /* Checks of values read from tensor data (checks.h): what check k
   * (1-based) guards, "node 'x' (Gather): index into axis 0 of its data" */
  int32_t num_index_checks;
  const char *const *index_check_messages;
  /* mcc --profile: the kernels whose times mcc_rt_profile_tick records;
   * 0 / NULL otherwise. */
  int32_t num_kernels;
  const mcc_kernel_info *kernels;
} mcc_graph_desc;

/* The weights file (lib/target/cpu/Weights.cpp writes it): a 64-byte header
 * { char magic[8] = "MCCWGT1"; uint64_t id; uint64_t size; zeros }, then
 * the data, which the generated code addresses through *weights_slot. */
#define MCC_WEIGHTS_MAGIC "MCCWGT1"
#define MCC_WEIGHTS_HEADER_SIZE 64

extern const mcc_graph_desc mcc__graph_desc
    __attribute__((visibility("hidden")));

#endif
