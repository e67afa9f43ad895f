// Random (version 4, RFC 4122 section 4.4) UUIDs in the upper-case form
// Windows writes (MessageID "uuid:...", ShellId, CommandId). The formatter
// takes the random bytes, so a caller can use a faster generator (soap's
// MessageIDs use OpenSSL's DRBG); NewUuid reads the kernel's. Any thread.
#ifndef WSMAND_BASE_UUID_H_
#define WSMAND_BASE_UUID_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace wsman::base {

inline constexpr size_t kUuidChars = 36;  // 8-4-4-4-12 hex digits

// Sets the version and variant bits of `random` and writes the UUID into
// out[0, kUuidChars) (no terminator).
void FormatUuidV4(std::array<uint8_t, 16> random, char* out);

// A fresh UUID from getrandom(2).
std::string NewUuid();

}  // namespace wsman::base

#endif  // WSMAND_BASE_UUID_H_
