//===- ExternalData.cpp - Tensors stored beside the model file ------------===//
//
// The file is opened with openat2(RESOLVE_BENEATH) on the model's folder,
// so the kernel resolves the path (symbolic links included) and refuses
// any step out of the folder: no window between a check and the open in
// which a link could be swapped. Kernels without openat2 (before 5.6) get
// the same rule from the resolved real path. The opened file must be a
// regular file with a single link: a hard link names a file that may lie
// anywhere on the same file system (onnx refuses them too).
//
//===----------------------------------------------------------------------===//

#include "lib/import/ExternalData.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

using namespace llvm;

static Error externalError(StringRef location, const Twine &why) {
  return createStringError(inconvertibleErrorCode(),
                           "external data '" + location + "': " + why);
}

namespace {
/// Closes a file descriptor when it goes out of scope.
struct FileDescriptor {
  int fd = -1;
  ~FileDescriptor() {
    if (fd >= 0)
      ::close(fd);
  }
};
} // namespace

/// Opens `location` beneath `dir` for reading (without blocking on a FIFO),
/// or fails with why not.
static Expected<int> openBeneath(StringRef dir, StringRef location) {
  FileDescriptor dirFd;
  dirFd.fd = ::open(dir.str().c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dirFd.fd < 0)
    return externalError(location, "cannot open the model's folder: " +
                                       Twine(std::strerror(errno)));
  struct open_how how;
  std::memset(&how, 0, sizeof how);
  how.flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  long fd = ::syscall(SYS_openat2, dirFd.fd, location.str().c_str(), &how,
                      sizeof how);
  if (fd >= 0)
    return int(fd);
  if (errno == EXDEV || errno == ELOOP)
    return externalError(location, "resolves outside the model's folder");
  if (errno == ENOENT || errno == ENOTDIR)
    return externalError(location, "file not found next to the model");
  if (errno != ENOSYS && errno != EPERM)
    return externalError(location, std::strerror(errno));
  // No openat2 (an old kernel, or a sandbox that filters it).
  SmallString<256> realDir, realFile, path(dir);
  sys::path::append(path, location);
  if (sys::fs::real_path(dir, realDir) || sys::fs::real_path(path, realFile))
    return externalError(location, "file not found next to the model");
  StringRef prefix = realDir.str();
  if (!StringRef(realFile).starts_with(prefix) ||
      (realFile.size() > prefix.size() &&
       !sys::path::is_separator(realFile[prefix.size()])))
    return externalError(location, "resolves outside the model's folder");
  int plain = ::open(realFile.c_str(),
                     O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY | O_NOFOLLOW);
  if (plain < 0)
    return externalError(location, std::strerror(errno));
  return plain;
}

Expected<std::unique_ptr<MemoryBuffer>>
mcc::readExternalData(StringRef modelDir, StringRef location, uint64_t offset,
                      uint64_t length) {
  if (location.empty())
    return externalError(location, "empty location");
  if (location.contains('\0'))
    return externalError(location, "the location contains a NUL byte");
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

  Expected<int> opened =
      openBeneath(modelDir.empty() ? "." : modelDir, location);
  if (!opened)
    return opened.takeError();
  FileDescriptor file;
  file.fd = *opened;
  struct stat st;
  if (::fstat(file.fd, &st) != 0)
    return externalError(location, "cannot read its status");
  if (!S_ISREG(st.st_mode))
    return externalError(location, "is not a regular file");
  if (st.st_nlink > 1)
    return externalError(location,
                         "has " + Twine(uint64_t(st.st_nlink)) +
                             " hard links; a hard-linked file may lie "
                             "outside the model's folder and is refused");
  uint64_t size = uint64_t(st.st_size);
  if (offset > size || length > size - offset)
    return externalError(location, "offset " + Twine(offset) + " + length " +
                                       Twine(length) + " exceeds file size " +
                                       Twine(size));
  auto buf = MemoryBuffer::getOpenFileSlice(file.fd, location, length,
                                            int64_t(offset));
  if (!buf)
    return externalError(location, buf.getError().message());
  return std::move(*buf);
}
