//===- Npy.cpp - NumPy .npy files for mcc-run -----------------------------===//

#include "Npy.h"

#include "mcc/runtime.h"

#include <cstring>
#include <fstream>
#include <sstream>

namespace {

struct DescrEntry {
  const char *descr;
  int32_t dtype;
};
const DescrEntry kDescrs[] = {
    {"<f4", MCC_FLOAT32}, {"<f8", MCC_FLOAT64}, {"<f2", MCC_FLOAT16},
    {"<i8", MCC_INT64},   {"<i4", MCC_INT32},   {"<i2", MCC_INT16},
    {"|i1", MCC_INT8},    {"|u1", MCC_UINT8},   {"<u2", MCC_UINT16},
    {"<u4", MCC_UINT32},  {"<u8", MCC_UINT64},  {"|b1", MCC_BOOL}};

/// Value of `key` in the header dict text, e.g. 'descr': '<f4'.
std::string field(const std::string &header, const std::string &key) {
  size_t k = header.find("'" + key + "'");
  if (k == std::string::npos)
    return "";
  size_t colon = header.find(':', k);
  size_t start = header.find_first_not_of(" ", colon + 1);
  if (start == std::string::npos)
    return "";
  char open = header[start];
  if (open == '\'') {
    size_t end = header.find('\'', start + 1);
    return header.substr(start + 1, end - start - 1);
  }
  if (open == '(') {
    size_t end = header.find(')', start);
    return header.substr(start + 1, end - start - 1);
  }
  size_t end = header.find_first_of(",}", start);
  return header.substr(start, end - start);
}

} // namespace

bool mcc::readNpy(const std::string &path, NpyArray &out, std::string &error,
                  int32_t rawAs) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return error = "cannot open '" + path + "'", false;
  char magic[8];
  if (!in.read(magic, 8) || std::memcmp(magic, "\x93NUMPY", 6) != 0)
    return error = "'" + path + "' is not a .npy file", false;
  uint32_t hlen = 0;
  if (magic[6] == 1) {
    unsigned char b[2];
    in.read(reinterpret_cast<char *>(b), 2);
    hlen = b[0] | (b[1] << 8);
  } else {
    unsigned char b[4];
    in.read(reinterpret_cast<char *>(b), 4);
    hlen = b[0] | (b[1] << 8) | (b[2] << 16) | (uint32_t(b[3]) << 24);
  }
  if (!in || hlen > (1u << 20))
    return error = "'" + path + "': bad .npy header", false;
  std::string header(hlen, '\0');
  in.read(&header[0], hlen);
  std::string descr = field(header, "descr");
  if (field(header, "fortran_order") == "True")
    return error = "'" + path + "': Fortran order is not supported", false;
  out.dtype = 0;
  for (const auto &d : kDescrs)
    if (descr == d.descr)
      out.dtype = d.dtype;
  // bfloat16, float8, int4...: numpy (ml_dtypes) writes them as raw bytes
  // ('|V1', '<V2'; '<f1' for float8_e5m2); the model's declared type says
  // what the bytes are.
  if (!out.dtype && rawAs >= MCC_BFLOAT16 && descr.size() >= 3 &&
      (descr[1] == 'V' || descr[1] == 'f') &&
      descr.substr(2) == std::to_string(mcc_dtype_size(rawAs)))
    out.dtype = rawAs;
  if (!out.dtype)
    return error = "'" + path + "': unsupported dtype '" + descr + "'", false;
  out.shape.clear();
  std::stringstream ss(field(header, "shape"));
  std::string dim;
  while (std::getline(ss, dim, ','))
    if (dim.find_first_of("0123456789") != std::string::npos)
      out.shape.push_back(std::stoll(dim));
  int64_t n = 1;
  for (int64_t d : out.shape)
    n *= d;
  out.data.resize(size_t(n) * mcc_dtype_size(out.dtype));
  if (!in.read(out.data.data(), out.data.size()))
    return error = "'" + path + "': truncated data", false;
  return true;
}

bool mcc::writeNpy(const std::string &path, const NpyArray &array,
                   std::string &error) {
  const char *descr = nullptr;
  for (const auto &d : kDescrs)
    if (d.dtype == array.dtype)
      descr = d.descr;
  std::string raw; // no numpy type: raw bytes of the element's size
  if (!descr && mcc_dtype_size(array.dtype)) {
    raw = "|V" + std::to_string(mcc_dtype_size(array.dtype));
    descr = raw.c_str();
  }
  if (!descr)
    return error = "cannot write dtype " + std::to_string(array.dtype), false;
  std::string shape = "(";
  for (int64_t d : array.shape)
    shape += std::to_string(d) + ",";
  if (array.shape.size() > 1)
    shape.pop_back();
  shape += ")";
  std::string header = std::string("{'descr': '") + descr +
                       "', 'fortran_order': False, 'shape': " + shape + ", }";
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::ofstream os(path, std::ios::binary);
  if (!os)
    return error = "cannot write '" + path + "'", false;
  os.write("\x93NUMPY\x01\x00", 8);
  char len[2] = {char(header.size() & 0xff), char(header.size() >> 8)};
  os.write(len, 2);
  os.write(header.data(), header.size());
  os.write(array.data.data(), array.data.size());
  return bool(os) || (error = "write to '" + path + "' failed", false);
}
