//===- Linker.cpp - The artifact's shared library, linked in process ------===//
//
// The embedded runtime archive and the model object go through lld's ELF
// driver in this process, so compiling a model needs no system linker or C
// compiler. The artifact names libc and libm as its only dependencies.
//
//===----------------------------------------------------------------------===//

#include "lib/target/cpu/CpuTarget.h"

#include "lld/Common/Driver.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/TargetParser/Host.h"

LLD_HAS_DRIVER(elf)

namespace mcc {
extern const unsigned char kRuntimeArchive[];
extern const std::size_t kRuntimeArchiveSize;
} // namespace mcc

using namespace llvm;

/// The first existing directory holding the C library for the host triple.
static std::string findLibcDir(const Triple &triple) {
  std::string multiarch = (triple.getArchName() + "-linux-gnu").str();
  for (std::string dir : {"/lib/" + multiarch, "/usr/lib/" + multiarch,
                          std::string("/lib64"), std::string("/usr/lib64")})
    if (sys::fs::exists(dir + "/libc.so.6") &&
        sys::fs::exists(dir + "/libm.so.6"))
      return dir;
  return "";
}

Error mcc::linkSharedLibrary(StringRef objectPath, StringRef outputPath,
                             const Triple &triple) {
  SmallString<128> archive;
  int fd;
  if (auto ec = sys::fs::createTemporaryFile("mcc-runtime", "a", fd, archive))
    return createStringError(ec, "cannot create a temporary file");
  FileRemover removeArchive(archive);
  {
    raw_fd_ostream os(fd, /*shouldClose=*/true);
    os.write(reinterpret_cast<const char *>(kRuntimeArchive),
             kRuntimeArchiveSize);
  }
  std::vector<std::string> args = {
      "ld.lld", "-shared", "-o", outputPath.str(), "--gc-sections", "-z",
      "noexecstack", "--as-needed", objectPath.str(), archive.str().str(),
      // The file name as soname: consumers record it in DT_NEEDED and find
      // the artifact through their rpath, not by the path it was built at.
      "-soname", sys::path::filename(outputPath).str()};
  // The host's libc and libm by soname; a cross-target artifact leaves them
  // to the loader.
  Triple host(sys::getDefaultTargetTriple());
  if (triple.getArch() == host.getArch() && triple.isOSLinux()) {
    std::string dir = findLibcDir(triple);
    if (!dir.empty()) {
      args.push_back("--no-undefined");
      args.push_back(dir + "/libc.so.6");
      args.push_back(dir + "/libm.so.6");
    }
  }
  std::vector<const char *> argv;
  for (const auto &a : args)
    argv.push_back(a.c_str());
  std::string errText;
  raw_string_ostream errOs(errText);
  lld::Result r =
      lld::lldMain(argv, outs(), errOs, {{lld::Gnu, &lld::elf::link}});
  if (r.retCode != 0)
    return createStringError(inconvertibleErrorCode(),
                             "linking failed: " + errText);
  return Error::success();
}
