//===- Npy.h - NumPy .npy files for mcc-run ---------------------*- C++ -*-===//

#ifndef MCC_TOOLS_MCC_RUN_NPY_H
#define MCC_TOOLS_MCC_RUN_NPY_H

#include <cstdint>
#include <string>
#include <vector>

namespace mcc {

struct NpyArray {
  int32_t dtype = 0; // mcc_dtype
  std::vector<int64_t> shape;
  std::vector<char> data; // C order, little endian
};

/// Reads a .npy file (format 1.0-3.0, little-endian, C order). Raw-byte
/// arrays ('|V2': how numpy stores bfloat16, float8...) are read as `rawAs`
/// when its element size matches. On failure returns false with a message
/// in `error`.
bool readNpy(const std::string &path, NpyArray &out, std::string &error,
             int32_t rawAs = 0);
/// Writes a .npy file (format 1.0); types numpy lacks as raw bytes ('|V2').
bool writeNpy(const std::string &path, const NpyArray &array,
              std::string &error);

} // namespace mcc

#endif
