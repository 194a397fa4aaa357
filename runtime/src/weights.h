/*===- weights.h - Weights files of --weights=external artifacts (private)
 * -===*/
#ifndef MCC_RUNTIME_WEIGHTS_H
#define MCC_RUNTIME_WEIGHTS_H

#include "graph.h"

#include <stddef.h>

/* Maps the model's weights file (at `path`, or NULL: the file named in the
 * descriptor, next to the artifact) on the first call; counts users after.
 * A model with embedded weights needs nothing and gets MCC_OK. */
__attribute__((visibility("hidden"))) mcc_status
mcc_rt_acquire_weights(const mcc_graph_desc *g, const char *path, char *message,
                       size_t message_size);

/* Unmaps the file when its last user closes. */
__attribute__((visibility("hidden"))) void
mcc_rt_release_weights(const mcc_graph_desc *g);

#endif
