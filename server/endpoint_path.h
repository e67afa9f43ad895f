// Which WS-Management endpoint an HTTP request path names. Windows reserves
// "/wsman" as a URL prefix in http.sys, so "/wsman/" (what the MI client
// behind omicli and PowerShell's CIM cmdlets on Linux hard-codes) and any
// path under it are the authenticated endpoint; "/wsman-anon" (and its
// "/wsman-anon/identify") is the anonymous Identify endpoint. Like http.sys,
// the match ignores ASCII case and resolves "." and ".." segments first
// (RFC 3986 5.2.4), so "/wsman/../etc" is not under "/wsman". Everything
// else is no endpoint (404).
//
// Thread rules: a pure function.
#ifndef WSMAND_SERVER_ENDPOINT_PATH_H_
#define WSMAND_SERVER_ENDPOINT_PATH_H_

#include <string_view>

namespace wsman::server {

enum class EndpointPath { kNone, kWsman, kAnonymous };

// `path` is the decoded path of the request target (no query).
EndpointPath ClassifyPath(std::string_view path);

}  // namespace wsman::server

#endif  // WSMAND_SERVER_ENDPOINT_PATH_H_
