// Helpers shared by the auth unit tests: a temporary directory and a Basic
// header builder (the tests drive time with base::ManualClock).
#ifndef WSMAND_TESTS_UNIT_AUTH_TEST_UTIL_H_
#define WSMAND_TESTS_UNIT_AUTH_TEST_UTIL_H_

#include <openssl/evp.h>
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "base/clock.h"

namespace wsman::auth::testing {

class TempDir {
 public:
  TempDir() {
    std::string tmpl =
        (std::filesystem::temp_directory_path() / "wsmand-auth-XXXXXX")
            .string();
    path_ = mkdtemp(tmpl.data()) ? tmpl : "";
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline std::string Base64(const std::string& in) {
  std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(in.data()),
                          static_cast<int>(in.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

inline std::string BasicHeader(const std::string& user,
                               const std::string& password) {
  return "Basic " + Base64(user + ":" + password);
}

}  // namespace wsman::auth::testing

#endif  // WSMAND_TESTS_UNIT_AUTH_TEST_UTIL_H_
