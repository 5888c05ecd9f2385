-- wrk script for `samlkit idp serve` (scripts/idp-load.sh): every request is a fresh, unique
-- AuthnRequest by HTTP-Redirect (stored DEFLATE block, base64, URL-encoded), which the IdP
-- checks, answers as auto_login's user and signs. A non-200 answer counts as an error.

local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

local destination, counter, prefix
function init(args)
  destination = args[1]
  counter = 0
  prefix = "_load" .. tid .. "_" .. os.time() .. "_"
end

local alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
local function base64(data)
  local out = {}
  for i = 1, #data, 3 do
    local a, b, c = data:byte(i, i + 2)
    local n = a * 65536 + (b or 0) * 256 + (c or 0)
    local chars = 4 - (b and 0 or 1) - (c and 0 or 1)
    for j = 1, 4 do
      if j <= chars then
        local k = math.floor(n / 2 ^ (6 * (4 - j))) % 64
        out[#out + 1] = alphabet:sub(k + 1, k + 1)
      else
        out[#out + 1] = "="
      end
    end
  end
  return table.concat(out)
end

local function urlencode(s)
  return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", c:byte()) end))
end

-- Raw DEFLATE with one stored (uncompressed) block: BFINAL=1/BTYPE=00, LEN, NLEN.
local function deflate_stored(s)
  local n = #s
  local lo, hi = n % 256, math.floor(n / 256)
  return string.char(1, lo, hi, 255 - lo, 255 - hi) .. s
end

function request()
  counter = counter + 1
  local xml = string.format(
    '<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" '
      .. 'xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="%s%d" Version="2.0" '
      .. 'IssueInstant="%s" Destination="%s" '
      .. 'AssertionConsumerServiceURL="http://127.0.0.1:8000/acs">'
      .. '<saml:Issuer>https://sp.example.com</saml:Issuer></samlp:AuthnRequest>',
    prefix, counter, os.date("!%Y-%m-%dT%H:%M:%SZ"), destination)
  return wrk.format("GET", "/sso?SAMLRequest=" .. urlencode(base64(deflate_stored(xml))))
end

local failures = 0
function response(status, headers, body)
  if status ~= 200 or not body:find("SAMLResponse", 1, true) then
    failures = failures + 1
    if failures <= 3 then
      io.stderr:write("unexpected answer " .. status .. ": " .. body:sub(1, 300) .. "\n")
    end
  end
end
