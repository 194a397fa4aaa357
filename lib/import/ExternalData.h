//===- ExternalData.h - Tensors stored beside the model file ----*- C++ -*-===//

#ifndef MCC_LIB_IMPORT_EXTERNALDATA_H
#define MCC_LIB_IMPORT_EXTERNALDATA_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBuffer.h"

#include <memory>

namespace mcc {

/// Reads `length` bytes at `offset` of the external data file `location`,
/// which ONNX defines relative to the model's folder `modelDir`. Rejects
/// locations that could leave that folder (absolute paths, `..`
/// components, symbolic links that resolve outside it) and files that are
/// not regular or have more than one hard link.
llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>>
readExternalData(llvm::StringRef modelDir, llvm::StringRef location,
                 uint64_t offset, uint64_t length);

} // namespace mcc

#endif // MCC_LIB_IMPORT_EXTERNALDATA_H
