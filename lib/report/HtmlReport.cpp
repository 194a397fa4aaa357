//===- HtmlReport.cpp - mcc --report: one self-contained page -------------===//

#include "lib/report/HtmlReport.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <set>

using namespace mcc::report;
using llvm::raw_string_ostream;

namespace {

std::string escape(llvm::StringRef s) {
  std::string out;
  for (char c : s) {
    switch (c) {
    case '&':
      out += "&amp;";
      break;
    case '<':
      out += "&lt;";
      break;
    case '>':
      out += "&gt;";
      break;
    case '"':
      out += "&quot;";
      break;
    default:
      out += c;
    }
  }
  return out;
}

std::string shorten(llvm::StringRef s, size_t most) {
  if (s.size() <= most)
    return s.str();
  return "\xE2\x80\xA6" + s.take_back(most - 1).str(); // "…" + the end
}

/// "Conv+Relu": a kernel's distinct op types in order, at most three.
std::string opSummary(const Kernel &k) {
  std::vector<std::string> seen;
  for (const std::string &t : k.opTypes)
    if (!llvm::is_contained(seen, t))
      seen.push_back(t);
  std::string s;
  for (size_t i = 0; i < seen.size() && i < 3; ++i)
    s += (i ? "+" : "") + seen[i];
  if (seen.size() > 3)
    s += "+\xE2\x80\xA6";
  return s.empty() ? "copy" : s;
}

std::string precision(const Kernel &k) {
  std::string s;
  for (const std::string &t : k.elementTypes)
    s += (s.empty() ? "" : " ") + t;
  return s.empty() ? "-" : s;
}

/// The box colour: the share of the run (white to red) with a profile,
/// else the kind of arithmetic.
std::string colour(const Kernel &k, double share, double maxShare,
                   bool profiled) {
  if (profiled) {
    double t = maxShare > 0 ? std::sqrt(share / maxShare) : 0;
    return "hsl(8, 85%, " + std::to_string(int(97 - 47 * t)) + "%)";
  }
  auto has = [&](llvm::StringRef prefix) {
    return llvm::any_of(k.elementTypes, [&](const std::string &t) {
      return llvm::StringRef(t).starts_with(prefix);
    });
  };
  if (has("i4") || has("ui4"))
    return "#fde2c4";
  if (has("i8") || has("ui8"))
    return "#d6f0d0";
  if (has("bf16") || has("f16"))
    return "#e8dcf5";
  if (has("f32"))
    return "#d9e8fb";
  return "#eeeeee";
}

struct Layout {
  std::vector<int> depth, column;
  std::vector<std::vector<int>> preds;
  int rows = 0, columns = 0;
};

/// Kernels in run order, each a row below the deepest kernel it reads
/// from: parallel branches (a residual's shortcut) side by side.
Layout layOut(const Data &d) {
  size_t n = d.kernels.size();
  llvm::StringMap<std::vector<int>> covering;
  for (size_t k = 0; k < n; ++k)
    for (const std::string &node : d.kernels[k].nodes)
      covering[node].push_back(k);
  llvm::StringMap<const Node *> byName;
  for (const Node &node : d.nodes)
    byName[node.name] = &node;
  // The kernels that produce a node's value: its own, or (a node that
  // became no kernel: a view, a folded op) those of its inputs.
  llvm::StringMap<std::vector<int>> memo;
  std::function<std::vector<int>(const std::string &, int)> producers =
      [&](const std::string &name, int budget) -> std::vector<int> {
    if (auto it = covering.find(name); it != covering.end())
      return it->second;
    if (auto it = memo.find(name); it != memo.end())
      return it->second;
    std::vector<int> out;
    auto node = byName.find(name);
    if (node != byName.end() && budget > 0)
      for (const std::string &in : node->second->inputs)
        for (int k : producers(in, budget - 1))
          if (!llvm::is_contained(out, k))
            out.push_back(k);
    memo[name] = out;
    return out;
  };
  Layout l;
  l.depth.assign(n, 0);
  l.column.assign(n, 0);
  l.preds.resize(n);
  std::vector<int> feeds(n, -1); // a kernel that reads no kernel: whom it
                                 // prepares (a pad's zero fill, a copy)
  for (size_t j = 0; j < n; ++j) {
    std::set<int> preds;
    for (const std::string &node : d.kernels[j].nodes) {
      auto it = byName.find(node);
      if (it == byName.end())
        continue;
      for (const std::string &in : it->second->inputs) {
        int last = -1;
        for (int k : producers(in, 64))
          if (k < int(j))
            last = std::max(last, k);
        if (last >= 0)
          preds.insert(last);
      }
      // An earlier kernel of the same node that reads no kernel itself
      // prepares this one.
      for (int k : covering[node])
        if (k < int(j) && l.preds[k].empty() && feeds[k] < 0)
          feeds[k] = j;
    }
    l.preds[j].assign(preds.begin(), preds.end());
    for (int p : preds)
      l.depth[j] = std::max(l.depth[j], l.depth[p] + 1);
  }
  // Those sit just above the kernel they prepare (as late as possible),
  // not at the top of the page.
  for (size_t k = n; k-- > 0;)
    if (l.preds[k].empty() && feeds[k] >= 0) {
      l.depth[k] = std::max(0, l.depth[feeds[k]] - 1);
      l.preds[feeds[k]].push_back(k);
    }
  std::map<int, int> used;
  for (size_t j = 0; j < n; ++j) {
    l.column[j] = used[l.depth[j]]++;
    l.rows = std::max(l.rows, l.depth[j] + 1);
    l.columns = std::max(l.columns, l.column[j] + 1);
  }
  return l;
}

constexpr int kBoxW = 250, kBoxH = 50, kGapX = 30, kGapY = 26, kMargin = 12;

void writeGraph(raw_string_ostream &os, const Data &d, const Layout &l,
                double total) {
  bool profiled = !d.kernelMs.empty();
  double maxShare = 0;
  if (profiled && total > 0)
    for (double ms : d.kernelMs)
      maxShare = std::max(maxShare, ms / total);
  int width = 2 * kMargin + l.columns * (kBoxW + kGapX);
  int height = 2 * kMargin + l.rows * (kBoxH + kGapY);
  os << "<svg id=\"graph\" xmlns=\"http://www.w3.org/2000/svg\" width=\""
     << width << "\" height=\"" << height << "\" viewBox=\"0 0 " << width << " "
     << height << "\">\n";
  auto x = [&](int k) { return kMargin + l.column[k] * (kBoxW + kGapX); };
  auto y = [&](int k) { return kMargin + l.depth[k] * (kBoxH + kGapY); };
  for (size_t j = 0; j < d.kernels.size(); ++j)
    for (int p : l.preds[j]) {
      int x0 = x(p) + kBoxW / 2, y0 = y(p) + kBoxH;
      int x1 = x(j) + kBoxW / 2, y1 = y(j);
      os << "<path class=\"edge\" d=\"M" << x0 << " " << y0 << " C" << x0 << " "
         << (y0 + y1) / 2 << " " << x1 << " " << (y0 + y1) / 2 << " " << x1
         << " " << y1 << "\"/>\n";
    }
  for (size_t k = 0; k < d.kernels.size(); ++k) {
    const Kernel &kernel = d.kernels[k];
    double ms = profiled ? d.kernelMs[k] : 0;
    double share = profiled && total > 0 ? ms / total : 0;
    std::string nodes;
    for (size_t i = 0; i < kernel.nodes.size(); ++i)
      nodes += kernel.nodes[i] + " (" + kernel.opTypes[i] + ")\n";
    os << "<a href=\"#k" << k << "\"><g class=\"kernel\" data-index=\"" << k
       << "\" transform=\"translate(" << x(k) << "," << y(k) << ")\">"
       << "<title>" << escape(kernel.name + "\n" + nodes) << "</title>"
       << "<rect width=\"" << kBoxW << "\" height=\"" << kBoxH
       << "\" rx=\"5\" fill=\"" << colour(kernel, share, maxShare, profiled)
       << "\"/><text x=\"6\" y=\"15\" class=\"t1\">#" << k << " "
       << escape(opSummary(kernel)) << "</text><text x=\"6\" y=\"30\">"
       << escape(
              shorten(kernel.nodes.empty() ? kernel.name : kernel.nodes[0], 38))
       << "</text><text x=\"6\" y=\"44\" class=\"t3\">"
       << escape(precision(kernel));
    if (profiled)
      os << llvm::format("  %.3f ms  %.1f%%", ms, 100 * share);
    else if (kernel.flops > 0)
      os << llvm::format("  %.1f MFLOP", kernel.flops / 1e6);
    os << "</text></g></a>\n";
  }
  os << "</svg>\n";
}

} // namespace

std::string mcc::report::renderHtml(const Data &d) {
  std::string html;
  raw_string_ostream os(html);
  Layout l = layOut(d);
  bool profiled = !d.kernelMs.empty();
  double total = 0, flops = 0;
  for (double ms : d.kernelMs)
    total += ms;
  for (const Kernel &k : d.kernels)
    flops += k.flops;
  // Layout and code of each node, from the decisions.
  llvm::StringMap<std::string> layoutOf;
  llvm::StringMap<std::vector<std::string>> codeOf;
  for (const Decision &dec : d.decisions)
    for (const std::string &node : dec.nodes) {
      std::string code = dec.pass == "winograd-convs"        ? "Winograd"
                         : dec.pass == "int8-matmul-kernels" ? "int8 kernel"
                         : dec.pass == "fuse-depthwise-pointwise"
                             ? "depthwise+1x1 by rows"
                             : "";
      if (dec.pass == "channels-last")
        layoutOf[node] = "NHWC";
      if (dec.pass == "register-tile-contractions") {
        // "register tiles of 8 rows x 2 vector(s) ..." -> "tiles 8x2"
        llvm::StringRef text(dec.decision);
        llvm::SmallVector<llvm::StringRef> words;
        text.split(words, ' ');
        if (words.size() > 6)
          code = ("tiles " + words[3] + "x" + words[6]).str();
      }
      if (!code.empty() && !llvm::is_contained(codeOf[node], code))
        codeOf[node].push_back(code);
    }
  llvm::StringSet<> inKernels;
  for (const Kernel &k : d.kernels)
    for (const std::string &node : k.nodes)
      inKernels.insert(node);

  os << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
     << "<title>mcc report: " << escape(d.modelName) << "</title>\n<style>\n"
     << "body{font:13px/1.4 system-ui,sans-serif;margin:16px;color:#222}"
     << "h1{font-size:20px}h2{font-size:16px;margin-top:28px}"
     << "table{border-collapse:collapse}td,th{border:1px solid #ccc;"
     << "padding:2px 6px;text-align:left;vertical-align:top}"
     << "th{background:#f3f3f3}td.n{text-align:right}"
     << "#graph-box{overflow:auto;max-height:80vh;border:1px solid #ddd}"
     << ".edge{fill:none;stroke:#8a8a8a;stroke-width:1.2}"
     << ".kernel rect{stroke:#555;stroke-width:.8}"
     << ".kernel text{font:11px monospace;fill:#222}.kernel .t1{"
     << "font-weight:bold}.kernel .t3{fill:#555}"
     << ".kernel.sel rect{stroke:#d00;stroke-width:2.5}"
     << "tr.sel{background:#ffe9a8}.legend span{padding:1px 6px;"
     << "margin-right:6px;border:1px solid #999}\n</style></head>\n<body>\n";
  os << "<h1>mcc report: " << escape(d.modelName) << "</h1>\n<table>"
     << "<tr><th>model</th><td>" << escape(d.modelFile) << "</td></tr>"
     << "<tr><th>target</th><td>" << escape(d.target) << "</td></tr>"
     << "<tr><th>options</th><td>" << escape(d.options) << "</td></tr>"
     << "<tr><th>ONNX nodes</th><td>" << d.nodes.size() << "</td></tr>"
     << "<tr><th>kernels</th><td><span id=\"kernel-count\" data-count=\""
     << d.kernels.size() << "\">" << d.kernels.size()
     << "</span> (drawn: <span id=\"kernel-count-js\">?</span>)</td></tr>"
     << "<tr><th>nominal FLOPs</th><td>"
     << llvm::format("%.3f GFLOP", flops / 1e9) << "</td></tr>";
  if (profiled)
    os << "<tr><th>profile</th><td>" << escape(d.profileSource) << ": "
       << llvm::format("%.3f ms per run, %.1f GFLOP/s", total,
                       total > 0 ? flops / total / 1e6 : 0.0)
       << "</td></tr>";
  os << "</table>\n<h2>Graph: the ONNX nodes in the kernels mcc made</h2>\n"
     << "<p class=\"legend\">One box per kernel, in run order, below the "
     << "kernels it reads from. Colour: "
     << (profiled ? "its share of the run (white to red)."
                  : "<span style=\"background:#d9e8fb\">f32</span><span "
                    "style=\"background:#d6f0d0\">8-bit</span><span "
                    "style=\"background:#fde2c4\">4-bit</span><span "
                    "style=\"background:#e8dcf5\">16-bit float</span><span "
                    "style=\"background:#eee\">other</span>")
     << " Click a box for its row.</p>\n<div id=\"graph-box\">";
  writeGraph(os, d, l, total);
  os << "</div>\n<h2>Kernels</h2>\n<table id=\"kernels\"><tr><th>#</th>"
     << "<th>kernel</th><th>ONNX nodes</th><th>precision</th><th>layout</th>"
     << "<th>code</th>"
     << "<th>MFLOP</th>"
     << (profiled ? "<th>ms/run</th><th>share</th><th>GFLOP/s</th>" : "")
     << "</tr>\n";
  for (size_t k = 0; k < d.kernels.size(); ++k) {
    const Kernel &kernel = d.kernels[k];
    std::string nodes, layout, code;
    for (size_t i = 0; i < kernel.nodes.size(); ++i) {
      nodes += (i ? "<br>" : "") + escape(kernel.nodes[i]) + " (" +
               escape(kernel.opTypes[i]) + ")";
      if (auto it = layoutOf.find(kernel.nodes[i]);
          it != layoutOf.end() && layout.find(it->second) == std::string::npos)
        layout += (layout.empty() ? "" : ", ") + it->second;
      for (const std::string &c : codeOf.lookup(kernel.nodes[i]))
        if (code.find(c) == std::string::npos)
          code += (code.empty() ? "" : ", ") + c;
    }
    os << "<tr id=\"k" << k << "\"><td class=\"n\">" << k << "</td><td>"
       << escape(kernel.name) << "</td><td>" << (nodes.empty() ? "-" : nodes)
       << "</td><td>" << escape(precision(kernel)) << "</td><td>"
       << (layout.empty() ? "as in ONNX" : layout) << "</td><td>"
       << escape(code.empty() ? "-" : code) << "</td><td class=\"n\">"
       << llvm::format("%.2f", kernel.flops / 1e6) << "</td>";
    if (profiled) {
      double ms = d.kernelMs[k];
      os << llvm::format("<td class=\"n\">%.4f</td><td class=\"n\">%.1f%%"
                         "</td><td class=\"n\">",
                         ms, total > 0 ? 100 * ms / total : 0.0);
      if (kernel.flops > 0 && ms > 0)
        os << llvm::format("%.1f", kernel.flops / ms / 1e6);
      os << "</td>";
    }
    os << "</tr>\n";
  }
  os << "</table>\n<h2>Fusions</h2>\n<p>Kernels that compute several ONNX "
     << "nodes in one pass over the data.</p>\n<table id=\"fusions\"><tr>"
     << "<th>#</th><th>ONNX nodes</th></tr>\n";
  for (size_t k = 0; k < d.kernels.size(); ++k) {
    const Kernel &kernel = d.kernels[k];
    std::vector<std::string> distinct;
    for (const std::string &n : kernel.nodes)
      if (!llvm::is_contained(distinct, n))
        distinct.push_back(n);
    if (distinct.size() < 2)
      continue;
    std::string nodes;
    for (size_t i = 0; i < kernel.nodes.size(); ++i)
      nodes += std::string(i ? " + " : "") + kernel.nodes[i] + " (" +
               kernel.opTypes[i] + ")";
    os << "<tr><td class=\"n\"><a href=\"#k" << k << "\">" << k
       << "</a></td><td>" << escape(nodes) << "</td></tr>\n";
  }
  os << "</table>\n<h2>Decisions</h2>\n<table id=\"decisions\"><tr><th>"
     << "pass</th><th>ONNX nodes</th><th>decision</th></tr>\n";
  for (const Decision &dec : d.decisions) {
    std::string nodes;
    for (const std::string &n : dec.nodes)
      nodes += (nodes.empty() ? "" : "<br>") + escape(n);
    os << "<tr><td>" << escape(dec.pass) << "</td><td>" << nodes << "</td><td>"
       << escape(dec.decision) << "</td></tr>\n";
  }
  if (d.decisions.empty())
    os << "<tr><td colspan=\"3\">none recorded</td></tr>\n";
  os << "</table>\n<h2>Nodes in no kernel</h2>\n<p>Folded at compile time "
     << "(constants, shapes), views of another tensor (Reshape, Flatten), "
     << "or computed inside a neighbour whose kernel does not name them.</p>"
     << "\n<p id=\"unkernelled\">";
  bool any = false;
  for (const Node &node : d.nodes)
    if (!inKernels.contains(node.name)) {
      os << (any ? ", " : "") << escape(node.name) << " ("
         << escape(node.opType) << ")";
      any = true;
    }
  os << (any ? "" : "none") << "</p>\n<script>\n"
     << "(function(){var boxes=document.querySelectorAll('#graph .kernel');"
     << "document.getElementById('kernel-count-js').textContent="
     << "boxes.length;boxes.forEach(function(b){b.addEventListener('click',"
     << "function(){document.querySelectorAll('.sel').forEach(function(e){"
     << "e.classList.remove('sel')});b.classList.add('sel');var r=document."
     << "getElementById('k'+b.dataset.index);if(r)r.classList.add('sel');"
     << "});});document.body.dataset.rendered='1';})();\n</script>\n"
     << "</body></html>\n";
  return html;
}

llvm::Error mcc::report::readKernelTimes(const std::string &path,
                                         const std::vector<Kernel> &built,
                                         std::vector<double> &ms) {
  size_t kernels = built.size();
  auto fail = [&](const llvm::Twine &why) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "--report-profile '" + path + "': " + why);
  };
  auto buffer = llvm::MemoryBuffer::getFile(path);
  if (!buffer)
    return fail(buffer.getError().message());
  llvm::Expected<llvm::json::Value> json =
      llvm::json::parse((*buffer)->getBuffer());
  if (!json)
    return fail(llvm::toString(json.takeError()));
  const llvm::json::Object *root = json->getAsObject();
  const llvm::json::Array *events =
      root ? root->getArray("traceEvents") : nullptr;
  if (!events)
    return fail("no traceEvents (write it with mcc-run --profile-json)");
  ms.assign(kernels, 0);
  size_t seen = 0;
  for (const llvm::json::Value &e : *events) {
    const llvm::json::Object *event = e.getAsObject();
    const llvm::json::Object *args = event ? event->getObject("args") : nullptr;
    std::optional<int64_t> index =
        args ? args->getInteger("index") : std::nullopt;
    std::optional<double> dur = event ? event->getNumber("dur") : std::nullopt;
    if (!index || !dur)
      continue;
    if (*index < 0 || size_t(*index) >= kernels)
      return fail("kernel " + llvm::Twine(*index) + " of a build with " +
                  llvm::Twine(kernels) +
                  " kernels: a profile of another build?");
    std::optional<llvm::StringRef> name = event->getString("name");
    if (!name || *name != built[*index].name)
      return fail("kernel " + llvm::Twine(*index) + " is '" +
                  name.value_or("") + "' there and '" + built[*index].name +
                  "' in this build: a profile of another build?");
    ms[*index] = *dur / 1e3;
    ++seen;
  }
  if (seen != kernels)
    return fail(llvm::Twine(seen) + " kernel times for " +
                llvm::Twine(kernels) + " kernels: a profile of another build?");
  return llvm::Error::success();
}
