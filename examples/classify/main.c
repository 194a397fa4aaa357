/* classify: runs a model compiled by mcc_add_model() through its typed
 * entry point (classifier.h), then runs it from two threads at once on the
 * same loaded model and checks that every result is identical.
 *
 * Input: element i is ((i % 17) - 8) / 8.0f, so another program can
 * rebuild it exactly. Prints the first output's values on one line
 * ("output: v0 v1 ..."), then "concurrent runs: identical". Exit 1 on any
 * error. */
#include "classifier.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { kRunsPerThread = 8 };

static size_t numel(const mcc_tensor_info *t) {
  size_t n = 1;
  for (int32_t d = 0; d < t->rank; ++d)
    n *= (size_t)t->shape[d];
  return n;
}

typedef struct job {
  mcc_model *model;
  const float *input;
  const float *expected;
  size_t out_size;
  int mismatches;
} job;

static void *run_many(void *arg) {
  job *j = (job *)arg;
  float *out = malloc(j->out_size * sizeof *out);
  mcc_error err;
  for (int r = 0; r < kRunsPerThread && out; ++r) {
    if (classifier_run(j->model, j->input, out, &err) != MCC_OK ||
        memcmp(out, j->expected, j->out_size * sizeof *out) != 0)
      ++j->mismatches;
  }
  free(out);
  return NULL;
}

int main(void) {
  const mcc_model_api *api = classifier_api();
  if (api->num_inputs != 1 || api->num_outputs != 1 ||
      api->inputs[0].dtype != MCC_FLOAT32 ||
      api->outputs[0].dtype != MCC_FLOAT32) {
    fprintf(stderr, "classify: expects one float32 input and output\n");
    return 1;
  }
  size_t in_size = numel(&api->inputs[0]), out_size = numel(&api->outputs[0]);
  float *input = malloc(in_size * sizeof *input);
  float *output = malloc(out_size * sizeof *output);
  if (!input || !output)
    return 1;
  for (size_t i = 0; i < in_size; ++i)
    input[i] = (float)((int)(i % 17) - 8) / 8.0f;

  mcc_model_options options = {0};
  options.num_threads = 2;
  mcc_model *model;
  mcc_error err;
  if (classifier_open(&options, &model, &err) != MCC_OK ||
      classifier_run(model, input, output, &err) != MCC_OK) {
    fprintf(stderr, "classify: %s\n", err.message);
    return 1;
  }
  printf("output:");
  for (size_t i = 0; i < out_size; ++i)
    printf(" %.9g", output[i]);
  printf("\n");

  job jobs[2] = {{model, input, output, out_size, 0},
                 {model, input, output, out_size, 0}};
  pthread_t threads[2];
  for (int t = 0; t < 2; ++t)
    pthread_create(&threads[t], NULL, run_many, &jobs[t]);
  for (int t = 0; t < 2; ++t)
    pthread_join(threads[t], NULL);
  int bad = jobs[0].mismatches + jobs[1].mismatches;
  printf("concurrent runs: %s\n", bad ? "DIFFERENT" : "identical");
  classifier_close(model);
  free(input);
  free(output);
  return bad ? 1 : 0;
}
