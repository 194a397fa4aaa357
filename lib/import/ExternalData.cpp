//===- ExternalData.cpp - Tensors stored beside the model file ------------===//

#include "lib/import/ExternalData.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

using namespace llvm;

static Error externalError(StringRef location, const Twine &why) {
  return createStringError(inconvertibleErrorCode(),
                           "external data '" + location + "': " + why);
}

Expected<std::unique_ptr<MemoryBuffer>>
mcc::readExternalData(StringRef modelDir, StringRef location, uint64_t offset,
                      uint64_t length) {
  if (location.empty())
    return externalError(location, "empty location");
  if (sys::path::is_absolute(location) || location.starts_with("/") ||
      location.starts_with("\\"))
    return externalError(location,
                         "absolute paths are not allowed; "
                         "external data must lie in the model's folder");
  for (auto it = sys::path::begin(location), e = sys::path::end(location);
       it != e; ++it)
    if (*it == "..")
      return externalError(location,
                           "'..' is not allowed; external data must lie in "
                           "the model's folder");

  SmallString<256> dir(modelDir.empty() ? "." : modelDir);
  SmallString<256> realDir, realFile, path(dir);
  sys::path::append(path, location);
  if (sys::fs::real_path(dir, realDir) || sys::fs::real_path(path, realFile))
    return externalError(location, "file not found next to the model");
  // A symbolic link inside the folder may still point out of it.
  StringRef prefix = realDir.str();
  if (!StringRef(realFile).starts_with(prefix) ||
      (realFile.size() > prefix.size() &&
       !sys::path::is_separator(realFile[prefix.size()])))
    return externalError(location, "resolves outside the model's folder");

  uint64_t size = 0;
  if (sys::fs::file_size(realFile, size))
    return externalError(location, "cannot read file size");
  if (offset > size || length > size - offset)
    return externalError(location, "offset " + Twine(offset) + " + length " +
                                       Twine(length) + " exceeds file size " +
                                       Twine(size));
  auto buf = MemoryBuffer::getFileSlice(realFile, length, offset);
  if (!buf)
    return externalError(location, buf.getError().message());
  return std::move(*buf);
}
