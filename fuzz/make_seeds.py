import os, hashlib
root = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'corpus')
def put(target, name, data):
    if isinstance(data, str): data = data.encode()
    d = os.path.join(root, target); os.makedirs(d, exist_ok=True)
    open(os.path.join(d, name), 'wb').write(data)

voice = ("AccountSid=AC0123456789abcdef0123456789abcdef&ApiVersion=2010-04-01&CallSid=CA1234567890ABCDE"
         "&CallStatus=ringing&Called=%2B14155550100&Caller=%2B14155550111&Direction=inbound"
         "&From=%2B14155550111&FromCity=SAN+FRANCISCO&FromCountry=US&To=%2B14155550100&ToState=CA")
sms = ("ToCountry=US&ToState=CA&SmsMessageSid=SM123&NumMedia=0&Body=It%27s+5%E2%82%AC+%26+more+%F0%9F%98%80"
       "&FromCountry=US&From=%2B14155550111&To=%2B14155550100&MessageSid=SM123&AccountSid=AC123&ApiVersion=2010-04-01")
digits = "Digits=1234&Digits=5678&Digits=1234&CallSid=CA1&CALLSID=x&callSid=y&Reason=r&ReasonConferenceEnded=z"
odd = "a=%zz&b=%4&c=%C3%28&&d=%2b+%2B&=e&f==&flag&%F0%9F%98%80=astral&A%EF%BF%BD=1"
json = '{"event":"call.completed","CallSid":"CA123","duration":"42","caller":"+14155550111"}'

# form_parse: raw bodies
put('form_parse', 'voice', voice)
put('form_parse', 'sms_unicode', sms)
put('form_parse', 'repeated_names', digits)
put('form_parse', 'malformed_escapes', odd)
put('form_parse', 'invalid_utf8', b"Body=\xff\xfe%FF%C3&x=\xc3\x28")

# candidate_urls: flags byte (bit 0 = trailing slash) + URL
for i, (flags, url) in enumerate([
    ('0', 'https://voice.example.com/voice?CallSid=CA1'),
    ('0', 'https://user:pass@example.com/voice'),
    ('1', 'wss://example.com/stream?x=1'),
    ('0', 'http://[2001:db8::1]:8080/a'),
    ('0', 'HTTPS://u:p@[::1]:8443/voice?a=it\'s&b=x%27'),
    ('1', 'https://h/p?a=1\t\r\n'),
    ('0', 'https://abc123.ngrok.io:443/sms?Body=O%27Brien'),
    ('0', 'https://[::1]x/p'),
]):
    put('candidate_urls', f'url{i}', flags + url)

# authorization: <requirement><even mode>METHOD TARGET\nheader
reqs = {'basic': '1', 'digest': '2', 'either': '3', 'none': '0'}
put('authorization', 'rfc7617_basic', '10POST /voice\nBasic QWxhZGRpbjpvcGVuIHNlc2FtZQ==')
put('authorization', 'rfc7617_utf8', '30POST /voice\nBasic dGVzdDoxMjPCow==')
put('authorization', 'basic_twilio', '10POST /voice?x=1\nbasic dHdpbGlvOnMzY3JldC1QYTU1')
put('authorization', 'rfc7616_sha256', '20GET /dir/index.html\nDigest username="Mufasa", realm="http-auth@example.org", '
    'uri="/dir/index.html", algorithm=SHA-256, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", nc=00000001, '
    'cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", qop=auth, '
    'response="753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1", '
    'opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"')
put('authorization', 'rfc7616_md5', '30GET /dir/index.html\nDigest username="Mufasa", realm="http-auth@example.org", '
    'uri="/dir/index.html", algorithm=MD5, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", nc=00000001, '
    'cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", qop=auth, '
    'response="8ca523f5e9506fed4657c9700eebdbec", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"')
put('authorization', 'digest_escapes', '20POST /voice\nDigest   username="a\\"b", ,, realm=twilio-webhooks ,qop="auth", nc=0000000G, x=y')
put('authorization', 'bearer', '30POST /voice\nBearer abc.def')
put('authorization', 'absent', '30POST /voice')
# An arbitrary-built Digest header from the server's own challenge (mode odd): enum tag 3 = Digest.
put('authorization', 'built_digest', b'21' + b'\x00' * 8 + bytes([3]) + b'\x00' * 40)

# verify_request: 8 flag bytes + request text
def req(flags, method, target, headers, body=''):
    return flags + f'{method} {target}\n' + ''.join(f'{n}: {v}\n' for n, v in headers) + '\n' + body
form_ct = ('Content-Type', 'application/x-www-form-urlencoded')
put('verify_request', 'voice_host', req('00100000', 'POST', '/voice', [('Host', 'voice.example.com'), form_ct,
    ('X-Twilio-Signature', 'RSOYDt4T1cUTdK1PDd93/VVr8B8=')], voice))
put('verify_request', 'voice_signed', req('00101000', 'POST', '/voice?x=1', [('Host', 'voice.example.com'), form_ct], voice))
put('verify_request', 'forwarded_signed', req('10101000', 'POST', '/sms', [('Host', 'internal:3000'), form_ct,
    ('X-Forwarded-Proto', 'https'), ('X-Forwarded-Host', 'abc.ngrok.io'), ('X-Forwarded-Port', '443'),
    ('Forwarded', 'for=192.0.2.60;proto=https;host="api.example.com:8443"')], sms))
put('verify_request', 'json_base_url', req('20101300', 'POST',
    '/events?bodySHA256=' + hashlib.sha256(json.encode()).hexdigest(),
    [('Content-Type', 'application/json'), ('X-Twilio-Webhooks-Signature-Settings', 'key=KS0123456789,algorithm=HMAC_SHA256')], json))
put('verify_request', 'json_no_hash', req('21102000', 'POST', '/events', [('Content-Type', 'application/json'),
    ('X-Twilio-Signature', 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=')], json))
put('verify_request', 'http_auth_basic', req('31101000', 'POST', '/voice', [form_ct,
    ('Authorization', 'Basic dHdpbGlvOmZ1enotaHR0cC1wYXNzd29yZC1RMXcyRTM=')], 'CallSid=CA1'))
put('verify_request', 'http_auth_digest', req('42110000', 'GET', 'https://twilio:pw@[2001:db8::1]:8443/status?CallSid=CA1',
    [('Authorization', 'Digest username="twilio", realm="twilio", uri="/status?CallSid=CA1", algorithm=MD5, qop=auth, '
      'nc=00000001, cnonce="x", nonce="n", opaque="o", response="0"')]))
put('verify_request', 'too_large', req('30100000', 'POST', '/voice', [form_ct], voice))
# Method and body binding (methods case-sensitive; a GET/HEAD body needs bodySHA256): flag 3
# bit 1 appends the body's bodySHA256 to the target.
put('verify_request', 'get_lowercase_form', req('00101000', 'get', '/voice', [('Host', 'voice.example.com'), form_ct], voice))
put('verify_request', 'head_lowercase_json', req('00101000', 'head', '/events', [('Host', 'voice.example.com'),
    ('Content-Type', 'application/json')], json))
put('verify_request', 'get_body_unsigned', req('00101000', 'GET', '/status?CallSid=CA1', [('Host', 'voice.example.com'), form_ct],
    'CallSid=CA2'))
put('verify_request', 'head_body_hashed', req('00121000', 'HEAD', '/events', [('Host', 'voice.example.com'),
    ('Content-Type', 'application/json')], json))
# SharedKeys: flag 4 = signature mode + 3 * settings (4: computed, right algorithm; 7: computed,
# other algorithm; `(` = 40: computed, no algorithm), key 3 = the SharedKey.
put('verify_request', 'get_json_event_streams', req('20124300', 'GET', '/events', [('Content-Type', 'application/json')], json))
put('verify_request', 'shared_other_algorithm', req('20127300', 'POST', '/events', [('Content-Type', 'application/json')], json))
put('verify_request', 'shared_sha1_no_algorithm', req('4010(300', 'POST', '/sms', [('Host', 'internal:3000'), form_ct,
    ('Forwarded', 'for=6.6.6.6;host=evil.example;proto=http, for=192.0.2.60;proto=https;host="api.example.com:8443"'),
    ('X-Forwarded-Host', 'evil.example')], sms))
put('verify_request', 'shared_keys_only_token', req('50101000', 'POST', '/voice', [('Host', 'voice.example.com'), form_ct], voice))
put('verify_request', 'shared_keys_only_shared', req('50104300', 'POST', '/voice', [('Host', 'voice.example.com'), form_ct], voice))
# Sub-accounts (config 2, key 2): the voice form names the account; a second AccountSid conflicts.
put('verify_request', 'account_form', req('20101200', 'POST', '/voice', [form_ct], voice))
put('verify_request', 'account_conflict_query', req('20101200', 'POST',
    '/voice?Account%53id=ACffffffffffffffffffffffffffffffff', [form_ct], voice))
put('verify_request', 'account_in_query', req('20101200', 'GET',
    '/status?AccountSid=AC0123456789abcdef0123456789abcdef&CallSid=CA1', []))
# Trusted X-Forwarded-* (config 1): the proxy's value is the last of each list.
put('verify_request', 'x_forwarded_lists', req('10101000', 'POST', '/sms', [('Host', 'internal:3000'), form_ct,
    ('X-Forwarded-Proto', 'http, https'), ('X-Forwarded-Host', 'evil.example, abc.ngrok.io'),
    ('X-Forwarded-Port', '8443, 443'), ('Forwarded', 'proto=http;host=evil.example')], sms))
put('verify_request', 'x_forwarded_own_line', req('10101000', 'POST', '/sms', [('Host', 'internal:3000'), form_ct,
    ('X-Forwarded-Host', 'evil.example'), ('X-Forwarded-Proto', 'http'), ('X-Forwarded-Host', 'abc.ngrok.io'),
    ('X-Forwarded-Proto', 'https')], sms))
# Sub-account tokens only (config 6): the account named, or UnknownAccount.
put('verify_request', 'account_only', req('60101200', 'POST', '/voice', [('Host', 'voice.example.com'), form_ct], voice))
put('verify_request', 'account_only_unknown', req('60101200', 'POST', '/sms', [('Host', 'voice.example.com'), form_ct], sms))
put('verify_request', 'h2_authority', req('00100000', 'GET', '/status?CallSid=CA1&AccountSid=AC0123456789abcdef0123456789abcdef',
    [(':authority', '[::1]:8443'), ('X-Twilio-Signature', 'not base64!')]))

# sign_then_verify: URL line, 6 flag bytes (presentation, body, key, login, flip index, flip mask), body
def stv(url, flags, body=''):
    return url + '\n' + flags + body
put('sign_then_verify', 'voice_full_url', stv('https://voice.example.com/voice', '000012', voice))
put('sign_then_verify', 'sms_host_header', stv('https://abc123.ngrok.io/sms', '200071', sms))
put('sign_then_verify', 'base_prefix_account', stv('https://u:p@example.com:8443/app/v1/voice?x=it\'s', '501035', voice))
put('sign_then_verify', 'ipv6_forwarded_get', stv('http://[2001:db8::1]:8080/status?CallSid=CA1&a=%27', '322099', ''))
put('sign_then_verify', 'json_sharedkey', stv('https://events.example.com/events?x=1', '332000', json))
put('sign_then_verify', 'basic_login', stv('https://twilio:pw@example.com/voice', '1001a1', 'Digits=1234&Digits=5678'))
put('sign_then_verify', 'digest_login', stv('HTTPS://Example.com:443/voice?a=b', '3012b3', 'Body=%F0%9F%98%80&Body=%EF%BF%BD'))
put('sign_then_verify', 'wss_raw_form', stv('wss://example.com/stream', '010000', 'a=%zz&b=%4&c=%C3%28&&d'))

# Body kinds with their methods (flag 2: kind in bits 0-1, bits 4-7 the method): form `get`
# (` ` = 32) and `GET` (`@` = 64, refused: UnsignedBody), raw form `HEAD` (`Q`), no body
# `get`/`head` (18, 22), JSON on `GET`/`HEAD` (19, `#`); keys: SharedKey SHA-1 (`5`),
# shared_keys_only (`8`), sub-account named in the query (`1` with no body); forwarded:
# RFC 7239 (`7`), X-Forwarded-* with the port apart (11).
put('sign_then_verify', 'form_get_lowercase', stv('https://example.com/voice', '0 0001', voice))
put('sign_then_verify', 'form_GET_unsigned', stv('https://example.com/voice', '0@0001', voice))
put('sign_then_verify', 'raw_form_HEAD', stv('https://example.com/voice?x=1', '2Q0001', 'CallSid=CA1'))
put('sign_then_verify', 'no_body_get_lowercase', b'https://example.com/status?CallSid=CA1\n0\x120001')
put('sign_then_verify', 'no_body_head_lowercase', b'https://example.com/status?CallSid=CA1\n2\x160001')
put('sign_then_verify', 'json_GET_event_streams', b'https://events.example.com/sink\n0\x132001' + json.encode())
put('sign_then_verify', 'json_HEAD', stv('https://events.example.com/sink', '1#2001', json))
put('sign_then_verify', 'shared_sha1', stv('https://example.com/voice', '005001', voice))
put('sign_then_verify', 'shared_keys_only', stv('https://example.com/voice', '208101', voice))
put('sign_then_verify', 'account_in_query', stv('https://example.com/status?CallSid=CA1', '021001', ''))
put('sign_then_verify', 'forwarded_rfc7239', stv('https://api.example.com:8443/sms', '700001', sms))
put('sign_then_verify', 'x_forwarded_port', b'https://api.example.com:8443/sms\n\x0b00001' + sms.encode())
put('sign_then_verify', 'x_forwarded_own_line', b'https://api.example.com:8443/sms\n\x1b00001' + sms.encode())
put('sign_then_verify', 'forwarded_own_line', stv('https://api.example.com/sms', '\x17' + '00001', sms))
# Known issue 3 (README): the password of `https://:@host` (empty user and password) is
# "redacted" inside the scheme.
put('sign_then_verify', 'known_issue3', stv('https://:@example.com/voice', '000001', voice))
