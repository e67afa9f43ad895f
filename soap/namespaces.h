// XML namespace URIs and the prefixes Windows WinRM uses for them on the wire.
// Every writer and parser in wsmand names namespaces through these constants.
#ifndef WSMAND_SOAP_NAMESPACES_H_
#define WSMAND_SOAP_NAMESPACES_H_

#include <string_view>

namespace wsman::soap::ns {

inline constexpr std::string_view kSoap12 =
    "http://www.w3.org/2003/05/soap-envelope";  // prefix s
inline constexpr std::string_view kSoap11 =
    "http://schemas.xmlsoap.org/soap/envelope/";
inline constexpr std::string_view kAddressing =
    "http://schemas.xmlsoap.org/ws/2004/08/addressing";  // prefix a
inline constexpr std::string_view kWsman =
    "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd";  // prefix w
inline constexpr std::string_view kMsWsman =
    "http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd";  // prefix p
inline constexpr std::string_view kIdentity =
    "http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd";  // wsmid
inline constexpr std::string_view kEnumeration =
    "http://schemas.xmlsoap.org/ws/2004/09/enumeration";  // prefix n
inline constexpr std::string_view kTransfer =
    "http://schemas.xmlsoap.org/ws/2004/09/transfer";  // prefix x
inline constexpr std::string_view kEventing =
    "http://schemas.xmlsoap.org/ws/2004/08/eventing";  // prefix e
inline constexpr std::string_view kShell =
    "http://schemas.microsoft.com/wbem/wsman/1/windows/shell";  // prefix rsp
inline constexpr std::string_view kWsmanFault =
    "http://schemas.microsoft.com/wbem/wsman/1/wsmanfault";  // prefix f
inline constexpr std::string_view kCimBinding =
    "http://schemas.dmtf.org/wbem/wsman/1/cimbinding.xsd";  // prefix b
inline constexpr std::string_view kXsi =
    "http://www.w3.org/2001/XMLSchema-instance";  // prefix xsi
inline constexpr std::string_view kXml =
    "http://www.w3.org/XML/1998/namespace";  // prefix xml (predeclared)

inline constexpr std::string_view kAnonymous =
    "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous";

}  // namespace wsman::soap::ns

#endif  // WSMAND_SOAP_NAMESPACES_H_
