-- wrk script: POST an authenticated wsmid:Identify over keep-alive.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/soap+xml;charset=UTF-8"
wrk.headers["Authorization"] = os.getenv("WSMAND_AUTH")
wrk.body = '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" ' ..
  'xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" ' ..
  'xmlns:wsmid="http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd">' ..
  '<s:Header><a:MessageID>uuid:8E7A7D7C-0000-4000-8000-000000000001</a:MessageID>' ..
  '</s:Header><s:Body><wsmid:Identify/></s:Body></s:Envelope>'

function response(status, headers, body)
  if status ~= 200 then
    io.stderr:write("unexpected status " .. status .. "\n")
  end
end
