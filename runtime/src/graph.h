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
  int32_t reserved;
  const mcc_tensor_info *inputs;
  const mcc_tensor_info *outputs;
  /* args: input data pointers, then output data pointers */
  void (*entry)(void **args);
  const char *name;
} mcc_graph_desc;

extern const mcc_graph_desc mcc__graph_desc
    __attribute__((visibility("hidden")));

#endif
