//===- CHeader.h - The typed C entry point of one model ---------*- C++ -*-===//
//
// mcc --header writes a C header for an artifact: the model's signature as
// comments and shape constants, and static inline `<name>_open/_run/_close`
// wrappers with one typed pointer per input and output, over the
// mcc_model_api table of runtime/include/mcc/runtime.h.
//
//===----------------------------------------------------------------------===//

#ifndef MCC_LIB_TARGET_CHEADER_H
#define MCC_LIB_TARGET_CHEADER_H

#include "lib/target/Signature.h"

#include <string>

namespace mcc {

/// `name` with every character outside [A-Za-z0-9_] replaced by '_' and a
/// leading digit prefixed by '_' (used for model names and parameters).
std::string toCIdentifier(llvm::StringRef name);

/// The header's text; `modelFile` is named in its opening comment.
std::string emitCHeader(const ModelSignature &signature,
                        llvm::StringRef modelFile);

} // namespace mcc

#endif // MCC_LIB_TARGET_CHEADER_H
