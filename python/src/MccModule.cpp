//===- MccModule.cpp - mcc._mcc: the compiler and the C ABI for Python ----===//
//
// The thin native half of the `mcc` package: compileModel with its
// diagnostics as values, and one loaded artifact (dlopen + its
// mcc_model_api). Tensors cross as buffers (numpy arrays that
// mcc/__init__.py has made C-contiguous in the declared dtypes, ml_dtypes'
// bfloat16 and float8 too) without a copy; the GIL is released while a
// model compiles or runs.
//
//===----------------------------------------------------------------------===//

#include "mcc/Compiler.h"
#include "mcc/runtime.h"

#include <nanobind/nanobind.h>
#include <nanobind/stl/map.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/tuple.h>
#include <nanobind/stl/vector.h>

#include <dlfcn.h>

#include <cstdint>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

namespace nb = nanobind;

namespace {

const char *severityName(mcc::Diagnostic::Severity s) {
  switch (s) {
  case mcc::Diagnostic::Severity::Error:
    return "error";
  case mcc::Diagnostic::Severity::Warning:
    return "warning";
  case mcc::Diagnostic::Severity::Note:
    return "note";
  case mcc::Diagnostic::Severity::Remark:
    return "remark";
  }
  return "error";
}

/// (severity, message, location, node, op_type, file, line as printed).
using DiagnosticTuple =
    std::tuple<std::string, std::string, std::string, std::string, std::string,
               std::string, std::string>;

/// One compilation at a time per process: the pass and target registries
/// the compiler fills on first use are process-wide.
std::mutex compileMutex;

std::tuple<bool, std::vector<DiagnosticTuple>>
compile(const std::map<std::string, nb::object> &kwargs) {
  mcc::CompileOptions o;
  // Options left out or None keep the command line's defaults.
  auto given = [&](const char *key) -> nb::handle {
    auto it = kwargs.find(key);
    return it == kwargs.end() ? nb::handle() : nb::handle(it->second);
  };
  const std::pair<const char *, std::string *> strings[] = {
      {"input", &o.inputPath},   {"output", &o.outputPath},
      {"target", &o.triple},     {"cpu", &o.cpu},
      {"features", &o.features}, {"int8_kernels", &o.int8Isa},
      {"name", &o.modelName},    {"header", &o.headerPath}};
  for (auto [key, field] : strings)
    if (nb::handle v = given(key); v && !v.is_none())
      *field = nb::cast<std::string>(v);
  const std::pair<const char *, bool *> flags[] = {
      {"int8_activations", &o.int8Activations},
      {"external_weights", &o.externalWeights},
      {"check", &o.checkOnly},
      {"profile", &o.profile},
      {"verbose", &o.verbose}};
  for (auto [key, field] : flags)
    if (nb::handle v = given(key); v && !v.is_none())
      *field = nb::cast<bool>(v);
  if (auto it = kwargs.find("opt_level");
      it != kwargs.end() && !it->second.is_none())
    o.optLevel = nb::cast<int>(it->second);
  if (auto it = kwargs.find("emit"); it != kwargs.end()) {
    static const std::map<std::string, mcc::EmitKind> kinds = {
        {"onnx", mcc::EmitKind::Onnx}, {"linalg", mcc::EmitKind::Linalg},
        {"llvm", mcc::EmitKind::LLVM}, {"asm", mcc::EmitKind::Asm},
        {"obj", mcc::EmitKind::Obj},   {"so", mcc::EmitKind::So}};
    auto kind = kinds.find(nb::cast<std::string>(it->second));
    if (kind == kinds.end())
      throw nb::value_error(
          "emit must be one of onnx, linalg, llvm, asm, obj, so");
    o.emit = kind->second;
  }
  if (auto it = kwargs.find("input_shapes");
      it != kwargs.end() && !it->second.is_none())
    o.inputShapes =
        nb::cast<std::map<std::string, std::vector<int64_t>>>(it->second);

  std::vector<DiagnosticTuple> diagnostics;
  o.diagnosticHandler = [&](const mcc::Diagnostic &d) {
    diagnostics.emplace_back(severityName(d.severity), d.message, d.location,
                             d.node, d.opType, d.file,
                             mcc::formatDiagnostic(d));
  };
  bool ok;
  {
    nb::gil_scoped_release release;
    std::lock_guard<std::mutex> lock(compileMutex);
    ok = mcc::compileModel(o);
  }
  return {ok, std::move(diagnostics)};
}

/// (name, dtype, shape with -1 for symbolic dims, dim names).
using InfoTuple = std::tuple<std::string, int, std::vector<int64_t>,
                             std::vector<std::string>>;
/// (status, message): MCC_OK and "" on success.
using StatusTuple = std::tuple<int, std::string>;

std::vector<InfoTuple> describe(const mcc_tensor_info *infos, int count) {
  std::vector<InfoTuple> out;
  for (int i = 0; i < count; ++i) {
    const mcc_tensor_info &t = infos[i];
    std::vector<int64_t> shape(t.shape, t.shape + t.rank);
    std::vector<std::string> names;
    for (int d = 0; d < t.rank; ++d)
      names.emplace_back(t.dim_names && t.dim_names[d] ? t.dim_names[d] : "");
    out.emplace_back(t.name ? t.name : "", t.dtype, std::move(shape),
                     std::move(names));
  }
  return out;
}

/// Caller-owned buffers as C ABI tensors, held (Py_buffer) while alive.
/// Any object with a C-contiguous buffer works: numpy arrays of every
/// dtype, ml_dtypes' included (no format string is asked for).
class Tensors {
public:
  Tensors(nb::handle seq, const mcc_tensor_info *infos, int count,
          bool writable, const char *what) {
    size_t n = nb::len(seq);
    if (n != static_cast<size_t>(count))
      throw nb::value_error((std::string("expected ") + std::to_string(count) +
                             " " + what + ", got " + std::to_string(n))
                                .c_str());
    views.reserve(n);
    shapes.resize(n);
    tensors.resize(n);
    for (size_t i = 0; i < n; ++i) {
      nb::object obj = seq[i];
      Py_buffer view;
      if (PyObject_GetBuffer(obj.ptr(), &view,
                             PyBUF_ND | (writable ? PyBUF_WRITABLE : 0)) != 0)
        throw nb::python_error();
      views.push_back(view);
      size_t itemSize = mcc_dtype_size(infos[i].dtype);
      if (static_cast<size_t>(view.itemsize) != itemSize)
        throw nb::type_error(
            (std::string(what) + " '" + infos[i].name + "': elements of " +
             std::to_string(view.itemsize) + " bytes, the model's have " +
             std::to_string(itemSize))
                .c_str());
      shapes[i].assign(view.shape, view.shape + view.ndim);
      tensors[i].data = view.buf;
      tensors[i].dtype = infos[i].dtype;
      tensors[i].rank = view.ndim;
      tensors[i].shape = shapes[i].data();
    }
  }
  Tensors(const Tensors &) = delete;
  Tensors &operator=(const Tensors &) = delete;
  ~Tensors() {
    for (Py_buffer &v : views)
      PyBuffer_Release(&v);
  }
  mcc_tensor *data() { return tensors.data(); }
  int32_t size() const { return static_cast<int32_t>(tensors.size()); }

private:
  std::vector<Py_buffer> views;
  std::vector<std::vector<int64_t>> shapes;
  std::vector<mcc_tensor> tensors;
};

/// A loaded artifact: its library handle and one opened mcc_model.
class Artifact {
public:
  Artifact(const std::string &path, int numThreads,
           const std::string &weightsPath) {
    // RTLD_LOCAL: two artifacts export the same mcc_model_get_api.
    handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle)
      throw std::runtime_error("cannot load '" + path + "': " + dlerror());
    using GetApi = const mcc_model_api *(*)();
    auto getApi = reinterpret_cast<GetApi>(dlsym(handle, "mcc_model_get_api"));
    if (!getApi) {
      dlclose(handle);
      throw std::runtime_error("'" + path +
                               "' is not an mcc artifact (no "
                               "mcc_model_get_api)");
    }
    api = getApi();
    if (!api || api->abi_version != MCC_ABI_VERSION) {
      unsigned v = api ? api->abi_version : 0;
      dlclose(handle);
      throw std::runtime_error(
          "'" + path + "' has ABI version " + std::to_string(v) +
          ", this package reads version " + std::to_string(MCC_ABI_VERSION) +
          ": compile it again with this mcc");
    }
    mcc_model_options options{};
    options.num_threads = numThreads;
    options.weights_path = weightsPath.empty() ? nullptr : weightsPath.c_str();
    mcc_error error{};
    if (api->open(&options, &model, &error) != MCC_OK) {
      dlclose(handle);
      throw std::runtime_error("cannot open '" + path + "': " + error.message);
    }
  }
  Artifact(const Artifact &) = delete;
  Artifact &operator=(const Artifact &) = delete;
  ~Artifact() {
    api->close(model);
    dlclose(handle);
  }

  std::string name() const { return api->name ? api->name : ""; }
  std::vector<InfoTuple> inputs() const {
    return describe(api->inputs, api->num_inputs);
  }
  std::vector<InfoTuple> outputs() const {
    return describe(api->outputs, api->num_outputs);
  }

  /// The outputs' shapes for these inputs (their data is read only by
  /// models that size an output from an input's values).
  std::tuple<int, std::string, std::vector<std::vector<int64_t>>>
  outputShapes(nb::handle inputs) const {
    Tensors in(inputs, api->inputs, api->num_inputs, false, "inputs");
    std::vector<std::vector<int64_t>> shapes(api->num_outputs);
    std::vector<int64_t *> rows(api->num_outputs);
    for (int i = 0; i < api->num_outputs; ++i) {
      shapes[i].resize(api->outputs[i].rank);
      rows[i] = shapes[i].data();
    }
    mcc_error error{};
    mcc_status s;
    {
      nb::gil_scoped_release release;
      s = api->output_shapes(model, in.data(), in.size(), rows.data(),
                             api->num_outputs, &error);
    }
    return {s, s == MCC_OK ? "" : error.message, std::move(shapes)};
  }

  StatusTuple run(nb::handle inputs, nb::handle outputs) const {
    Tensors in(inputs, api->inputs, api->num_inputs, false, "inputs");
    Tensors out(outputs, api->outputs, api->num_outputs, true, "outputs");
    mcc_error error{};
    mcc_status s;
    {
      nb::gil_scoped_release release;
      s = api->run(model, in.data(), in.size(), out.data(), out.size(), &error);
    }
    return {s, s == MCC_OK ? "" : error.message};
  }

  /// (name, nodes, op types, flops) of each kernel (mcc --profile).
  std::vector<std::tuple<std::string, std::vector<std::string>,
                         std::vector<std::string>, double>>
  kernels() const {
    std::vector<std::tuple<std::string, std::vector<std::string>,
                           std::vector<std::string>, double>>
        out;
    for (int32_t k = 0; k < api->num_kernels; ++k) {
      const mcc_kernel_info &info = api->kernels[k];
      out.emplace_back(
          info.name,
          std::vector<std::string>(info.nodes, info.nodes + info.num_nodes),
          std::vector<std::string>(info.op_types,
                                   info.op_types + info.num_nodes),
          info.flops);
    }
    return out;
  }

  /// A run that also returns each kernel's nanoseconds.
  std::tuple<int, std::string, std::vector<uint64_t>>
  runProfiled(nb::handle inputs, nb::handle outputs) const {
    Tensors in(inputs, api->inputs, api->num_inputs, false, "inputs");
    Tensors out(outputs, api->outputs, api->num_outputs, true, "outputs");
    std::vector<uint64_t> ns(api->num_kernels + 1, 0);
    mcc_error error{};
    mcc_status s;
    {
      nb::gil_scoped_release release;
      s = api->run_profiled(model, in.data(), in.size(), out.data(), out.size(),
                            ns.data(), &error);
    }
    ns.resize(api->num_kernels);
    return {s, s == MCC_OK ? "" : error.message, std::move(ns)};
  }

private:
  void *handle = nullptr;
  const mcc_model_api *api = nullptr;
  mcc_model *model = nullptr;
};

} // namespace

NB_MODULE(_mcc, m) {
  m.doc() = "mcc's native half: the compiler and loaded artifacts (use the "
            "`mcc` package, not this module)";
  m.attr("ABI_VERSION") = MCC_ABI_VERSION;
  m.def("compile", &compile, nb::arg("options"),
        "Compiles options['input'] with the CLI's options; returns (ok, "
        "diagnostics)");
  nb::class_<Artifact>(m, "Artifact")
      .def(nb::init<const std::string &, int, const std::string &>(),
           nb::arg("path"), nb::arg("num_threads") = 0,
           nb::arg("weights_path") = "")
      .def_prop_ro("name", &Artifact::name)
      .def("inputs", &Artifact::inputs)
      .def("outputs", &Artifact::outputs)
      .def("output_shapes", &Artifact::outputShapes, nb::arg("inputs"))
      .def("run", &Artifact::run, nb::arg("inputs"), nb::arg("outputs"))
      .def("kernels", &Artifact::kernels)
      .def("run_profiled", &Artifact::runProfiled, nb::arg("inputs"),
           nb::arg("outputs"));
}
