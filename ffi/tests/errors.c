/* Every error path of the C ABI, one block per row of HOSTILE-INPUTS.md
 * section O (FFI-01..14) and SIG-15, each asserting its code. */
#include "common.h"
#include <stdint.h>

static const char BAD_UTF8[] = {'{', '"', 'a', '"', ':', '"', (char)0xff, '"', '}', 0};
static const char *TRUST = "{}";

int main(void) {
  passerelle_verifier v = 0, v2 = 0;
  passerelle_signer s = 0;
  passerelle_key_agreement ka = 0;
  char *out = NULL;
  char *issuer_jwk = read_file("issuer_key.jwk");
  char *trust = read_file("trust.json");
  char *claims = read_file("pid_claims.json");
  struct hw_key hw;
  hw_key_init(&hw);

  /* FFI-01: NULL for any input, output or handle */
  EXPECT(PASSERELLE_NULL_PARAMETER, passerelle_verifier_new(NULL, NULL, AT, &v));
  EXPECT(PASSERELLE_NULL_PARAMETER, passerelle_verifier_new(TRUST, NULL, AT, NULL));
  OK(passerelle_verifier_new(TRUST, NULL, AT, &v));
  OK(passerelle_signer_from_jwk(issuer_jwk, &s));
  EXPECT(PASSERELLE_NULL_PARAMETER, passerelle_signer_from_jwk(NULL, &s));
  EXPECT(PASSERELLE_NULL_PARAMETER, passerelle_signer_from_jwk(issuer_jwk, NULL));
  EXPECT(PASSERELLE_NULL_PARAMETER, passerelle_verify(v, NULL, 3, AT, NULL, NULL, NULL, 0, NULL, &out));
  EXPECT(PASSERELLE_NULL_PARAMETER, passerelle_verify(v, (const uint8_t *)"abc", 3, AT, NULL, NULL, NULL, 0, NULL, NULL));
  EXPECT(PASSERELLE_NULL_PARAMETER, passerelle_verify(0, (const uint8_t *)"abc", 3, AT, NULL, NULL, NULL, 0, NULL, &out));
  EXPECT(PASSERELLE_NULL_PARAMETER, passerelle_verify(v, (const uint8_t *)"abc", 3, AT, NULL, NULL, NULL, 5, NULL, &out));
  EXPECT(PASSERELLE_NULL_PARAMETER, passerelle_verifier_free(0));
  EXPECT(PASSERELLE_NULL_PARAMETER, passerelle_signer_free(0));
  EXPECT(PASSERELLE_NULL_PARAMETER, passerelle_key_agreement_free(0));
  EXPECT(PASSERELLE_NULL_PARAMETER, passerelle_issue_sd_jwt_vc(s, NULL, NULL, AT, &out));
  EXPECT(PASSERELLE_NULL_PARAMETER, passerelle_issue_sd_jwt_vc(s, claims, NULL, AT, NULL));
  EXPECT(PASSERELLE_NULL_PARAMETER, passerelle_issue_sd_jwt_vc(0, claims, NULL, AT, &out));
  EXPECT(PASSERELLE_NULL_PARAMETER, passerelle_issue_vc(s, NULL, claims, NULL, AT, &out));
  EXPECT(PASSERELLE_NULL_PARAMETER, passerelle_issue_vc(s, "vc+jwt", NULL, NULL, AT, &out));
  EXPECT(PASSERELLE_NULL_PARAMETER, passerelle_issue_mdoc(s, claims, NULL, AT, &out));
  EXPECT(PASSERELLE_NULL_PARAMETER, passerelle_issue_mdoc(s, NULL, "{}", AT, &out));
  EXPECT(PASSERELLE_NULL_PARAMETER, passerelle_present_sd_jwt(NULL, "\"all\"", s, "n", "a", AT, &out));
  EXPECT(PASSERELLE_NULL_PARAMETER, passerelle_present_sd_jwt("x~", NULL, s, "n", "a", AT, &out));
  EXPECT(PASSERELLE_NULL_PARAMETER, passerelle_present_sd_jwt("x~", "\"all\"", s, NULL, "a", AT, &out));
  EXPECT(PASSERELLE_NULL_PARAMETER, passerelle_present_sd_jwt("x~", "\"all\"", s, "n", NULL, AT, &out));
  EXPECT(PASSERELLE_NULL_PARAMETER, passerelle_present_sd_jwt("x~", "\"all\"", 0, "n", "a", AT, &out));
  EXPECT(PASSERELLE_NULL_PARAMETER, passerelle_present_sd_jwt("x~", "\"all\"", s, "n", "a", AT, NULL));
  EXPECT(PASSERELLE_NULL_PARAMETER, passerelle_present_mdoc(NULL, 4, "\"all\"", TRANSCRIPT, sizeof TRANSCRIPT, s, &out));
  EXPECT(PASSERELLE_NULL_PARAMETER, passerelle_present_mdoc((const uint8_t *)"oWFh", 4, "\"all\"", NULL, 8, s, &out));
  EXPECT(PASSERELLE_NULL_PARAMETER, passerelle_present_mdoc((const uint8_t *)"oWFh", 4, "\"all\"", TRANSCRIPT, 8, s, NULL));
  EXPECT(PASSERELLE_NULL_PARAMETER, passerelle_present_mdoc_mac((const uint8_t *)"oWFh", 4, "\"all\"", TRANSCRIPT, 8, 0, "{}", &out));
  EXPECT(PASSERELLE_NULL_PARAMETER, passerelle_did_resolve(NULL, NULL, 0, NULL, 0, AT, 0, &out));
  EXPECT(PASSERELLE_NULL_PARAMETER, passerelle_did_resolve("did:web:x", NULL, 9, NULL, 0, AT, 0, &out));
  EXPECT(PASSERELLE_NULL_PARAMETER, passerelle_did_resolve("did:web:x", NULL, 0, NULL, 0, AT, 0, NULL));
  EXPECT(PASSERELLE_NULL_PARAMETER, passerelle_signer_new(PASSERELLE_ALG_ES256, 0, NULL, hw_sign, &hw, &s));
  EXPECT(PASSERELLE_NULL_PARAMETER, passerelle_signer_new(PASSERELLE_ALG_ES256, 0, hw.jwk, hw_sign, &hw, NULL));
  EXPECT(PASSERELLE_NULL_PARAMETER, passerelle_key_agreement_new(NULL, hw_agree, &hw, &ka));
  EXPECT(PASSERELLE_NULL_PARAMETER, passerelle_key_agreement_new(hw.jwk, hw_agree, &hw, NULL));
  size_t needed = 0;
  EXPECT(PASSERELLE_NULL_PARAMETER, passerelle_last_error_copy(NULL, 0, NULL));
  CHECK(out == NULL); /* no output was written by any failed call */
  passerelle_string_free(NULL); /* a no-op */

  /* FFI-13: a NULL callback is NULL_PARAMETER; NULL user_data is allowed (never dereferenced) */
  passerelle_signer cs = 0;
  EXPECT(PASSERELLE_NULL_PARAMETER, passerelle_signer_new(PASSERELLE_ALG_ES256, 0, hw.jwk, NULL, &hw, &cs));
  EXPECT(PASSERELLE_NULL_PARAMETER, passerelle_key_agreement_new(hw.jwk, NULL, &hw, &ka));
  OK(passerelle_signer_new(PASSERELLE_ALG_ES256, 0, hw.jwk, hw_sign, NULL, &cs));
  OK(passerelle_signer_free(cs));

  /* FFI-02: non-UTF-8 strings (JSON, nonce, audience, format) */
  EXPECT(PASSERELLE_INVALID_UTF8, passerelle_verifier_new(BAD_UTF8, NULL, AT, &v2));
  EXPECT(PASSERELLE_INVALID_UTF8, passerelle_verifier_new(TRUST, BAD_UTF8, AT, &v2));
  EXPECT(PASSERELLE_INVALID_UTF8, passerelle_verify(v, (const uint8_t *)"abc", 3, AT, BAD_UTF8, NULL, NULL, 0, NULL, &out));
  EXPECT(PASSERELLE_INVALID_UTF8, passerelle_verify(v, (const uint8_t *)"abc", 3, AT, "n", BAD_UTF8, NULL, 0, NULL, &out));
  EXPECT(PASSERELLE_INVALID_UTF8, passerelle_verify(v, (const uint8_t *)"abc", 3, AT, NULL, NULL, NULL, 0, BAD_UTF8, &out));
  EXPECT(PASSERELLE_INVALID_UTF8, passerelle_issue_sd_jwt_vc(s, BAD_UTF8, NULL, AT, &out));
  EXPECT(PASSERELLE_INVALID_UTF8, passerelle_issue_vc(s, BAD_UTF8, claims, NULL, AT, &out));
  EXPECT(PASSERELLE_INVALID_UTF8, passerelle_present_sd_jwt("x~", "\"all\"", s, BAD_UTF8, "a", AT, &out));
  EXPECT(PASSERELLE_INVALID_UTF8, passerelle_signer_from_jwk(BAD_UTF8, &cs));
  EXPECT(PASSERELLE_INVALID_UTF8, passerelle_did_resolve(BAD_UTF8, NULL, 0, NULL, 0, AT, 0, &out));
  /* bytes inputs are (ptr, len): invalid UTF-8 there is bad input, not an ABI error */
  passerelle_result r = passerelle_verify(v, (const uint8_t *)"\xff\xfe~", 3, AT, NULL, NULL, NULL, 0, NULL, &out);
  CHECK(r == PASSERELLE_UNSUPPORTED || r == PASSERELLE_MALFORMED);

  /* bad JSON */
  EXPECT(PASSERELLE_MALFORMED, passerelle_verifier_new("{", NULL, AT, &v2));
  EXPECT(PASSERELLE_MALFORMED, passerelle_verifier_new("[]", NULL, AT, &v2));
  EXPECT(PASSERELLE_MALFORMED, passerelle_verifier_new("{\"issuers\": 3}", NULL, AT, &v2));
  CHECK(passerelle_verifier_new(TRUST, "{\"no\":", AT, &v2) != PASSERELLE_OK);
  EXPECT(PASSERELLE_MALFORMED, passerelle_issue_sd_jwt_vc(s, "not json", NULL, AT, &out));
  EXPECT(PASSERELLE_MALFORMED, passerelle_issue_sd_jwt_vc(s, claims, "[1]", AT, &out));
  EXPECT(PASSERELLE_API_MISUSE, passerelle_issue_sd_jwt_vc(s, claims, "{\"unknown\": 1}", AT, &out));
  EXPECT(PASSERELLE_API_MISUSE, passerelle_issue_sd_jwt_vc(s, "{}", NULL, AT, &out)); /* no vct */
  EXPECT(PASSERELLE_MALFORMED, passerelle_signer_from_jwk("{\"kty\":", &cs));
  EXPECT(PASSERELLE_MALFORMED, passerelle_verify(v, (const uint8_t *)"abc", 3, AT, NULL, NULL, NULL, 0, "{", &out));
  EXPECT(PASSERELLE_MALFORMED, passerelle_verify(v, (const uint8_t *)"abc", 3, AT, NULL, NULL, (const uint8_t *)"\x01", 1, NULL, &out));
  EXPECT(PASSERELLE_API_MISUSE, passerelle_signer_new(99, 0, hw.jwk, hw_sign, &hw, &cs));
  EXPECT(PASSERELLE_API_MISUSE, passerelle_signer_new(PASSERELLE_ALG_ES256, 7, hw.jwk, hw_sign, &hw, &cs));
  EXPECT(PASSERELLE_API_MISUSE, passerelle_signer_new(PASSERELLE_ALG_EDDSA, 0, hw.jwk, hw_sign, &hw, &cs));

  /* FFI-03: byte inputs need no NUL: a buffer without one is read by its length */
  uint8_t no_nul[4] = {'e', 'y', 'J', '~'};
  CHECK(passerelle_verify(v, no_nul, sizeof no_nul, AT, NULL, NULL, NULL, 0, NULL, &out) == PASSERELLE_MALFORMED);

  /* FFI-04: len = SIZE_MAX with a small buffer: refused before any slice is built */
  EXPECT(PASSERELLE_LIMIT_EXCEEDED, passerelle_verify(v, no_nul, SIZE_MAX, AT, NULL, NULL, NULL, 0, NULL, &out));
  EXPECT(PASSERELLE_LIMIT_EXCEEDED, passerelle_verify(v, no_nul, 3, AT, NULL, NULL, TRANSCRIPT, SIZE_MAX, NULL, &out));
  EXPECT(PASSERELLE_LIMIT_EXCEEDED, passerelle_verify(v, no_nul, PASSERELLE_MAX_INPUT_BYTES + 1, AT, NULL, NULL, NULL, 0, NULL, &out));
  EXPECT(PASSERELLE_LIMIT_EXCEEDED, passerelle_present_mdoc(no_nul, SIZE_MAX, "\"all\"", TRANSCRIPT, 8, s, &out));
  EXPECT(PASSERELLE_LIMIT_EXCEEDED, passerelle_did_resolve("did:web:x", no_nul, SIZE_MAX, NULL, 0, AT, 0, &out));
  EXPECT(PASSERELLE_LIMIT_EXCEEDED, passerelle_did_resolve("did:webvh:x", NULL, 0, no_nul, SIZE_MAX, AT, 0, &out));

  /* FFI-09: buffer too small, with the needed length; no truncation */
  EXPECT(PASSERELLE_MALFORMED, passerelle_verifier_new("{", NULL, AT, &v2));
  const char *msg = passerelle_last_error();
  size_t full = strlen(msg) + 1;
  char small[8];
  memset(small, 'Z', sizeof small);
  CHECK(passerelle_last_error_copy(small, sizeof small, &needed) == PASSERELLE_BUFFER_TOO_SMALL);
  CHECK(needed == full && small[0] == 'Z'); /* the buffer is left untouched */
  char *big = malloc(needed);
  CHECK(passerelle_last_error_copy(big, needed, &needed) == PASSERELLE_OK);
  CHECK(strcmp(big, passerelle_last_error()) == 0 && strstr(big, "malformed"));
  free(big);
  CHECK(passerelle_last_error_code() == PASSERELLE_MALFORMED); /* reading it changes nothing */
  CHECK(strcmp(passerelle_result_kind(PASSERELLE_BUFFER_TOO_SMALL), "buffer_too_small") == 0);
  CHECK(strcmp(passerelle_result_kind(1042), "malformed") == 0); /* a future code of the group */
  CHECK(strcmp(passerelle_result_kind(123456), "unknown") == 0);

  /* FFI-14: the message belongs to the thread, not the object: valid after the
   * object is freed, until the next call on this thread */
  passerelle_verifier doomed = 0;
  OK(passerelle_verifier_new(TRUST, NULL, AT, &doomed));
  EXPECT(PASSERELLE_MALFORMED, passerelle_verify(doomed, no_nul, 4, AT, NULL, NULL, NULL, 0, NULL, &out));
  const char *kept = passerelle_last_error();
  char copy[512];
  snprintf(copy, sizeof copy, "%s", kept);
  CHECK(strlen(copy) > 0);
  OK(passerelle_verifier_free(doomed)); /* the next call: the message is now "" */
  CHECK(passerelle_last_error()[0] == 0);

  /* FFI-05/06: double free and use after free */
  OK(passerelle_verifier_new(TRUST, NULL, AT, &v2));
  OK(passerelle_verifier_free(v2));
  EXPECT(PASSERELLE_INVALID_HANDLE, passerelle_verifier_free(v2));
  EXPECT(PASSERELLE_INVALID_HANDLE, passerelle_verify(v2, no_nul, 4, AT, NULL, NULL, NULL, 0, NULL, &out));
  EXPECT(PASSERELLE_INVALID_HANDLE, passerelle_verify(0xdeadbeef, no_nul, 4, AT, NULL, NULL, NULL, 0, NULL, &out));
  OK(passerelle_signer_new(PASSERELLE_ALG_ES256, 1, hw.jwk, hw_sign, &hw, &cs));
  OK(passerelle_signer_free(cs));
  EXPECT(PASSERELLE_INVALID_HANDLE, passerelle_signer_free(cs));
  EXPECT(PASSERELLE_INVALID_HANDLE, passerelle_issue_sd_jwt_vc(cs, claims, NULL, AT, &out));
  OK(passerelle_key_agreement_new(hw.jwk, hw_agree, &hw, &ka));
  OK(passerelle_key_agreement_free(ka));
  EXPECT(PASSERELLE_INVALID_HANDLE, passerelle_key_agreement_free(ka));

  /* FFI-07: type confusion (the wallet handle does not exist yet; every other pair does) */
  OK(passerelle_key_agreement_new(hw.jwk, hw_agree, &hw, &ka));
  EXPECT(PASSERELLE_INVALID_HANDLE, passerelle_verify(s, no_nul, 4, AT, NULL, NULL, NULL, 0, NULL, &out));
  EXPECT(PASSERELLE_INVALID_HANDLE, passerelle_verify(ka, no_nul, 4, AT, NULL, NULL, NULL, 0, NULL, &out));
  EXPECT(PASSERELLE_INVALID_HANDLE, passerelle_issue_sd_jwt_vc(v, claims, NULL, AT, &out));
  EXPECT(PASSERELLE_INVALID_HANDLE, passerelle_issue_sd_jwt_vc(ka, claims, NULL, AT, &out));
  EXPECT(PASSERELLE_INVALID_HANDLE, passerelle_present_mdoc_mac(no_nul, 4, "\"all\"", TRANSCRIPT, 8, s, "{}", &out));
  EXPECT(PASSERELLE_INVALID_HANDLE, passerelle_verifier_free(s));      /* does not free the signer */
  EXPECT(PASSERELLE_INVALID_HANDLE, passerelle_signer_free(v));
  EXPECT(PASSERELLE_INVALID_HANDLE, passerelle_key_agreement_free(v));
  EXPECT(PASSERELLE_INVALID_HANDLE, passerelle_signer_free(ka));
  OK(passerelle_issue_sd_jwt_vc(s, claims, NULL, AT, &out)); /* s survived */
  passerelle_string_free(out); /* FFI-12: only passerelle_string_free releases library strings */
  out = NULL;

  /* FFI-10 and SIG-15: misbehaving signer callbacks, each with its code, no deadlock */
  passerelle_verifier tv = 0;
  OK(passerelle_verifier_new(trust, NULL, AT, &tv));
  char options[512];
  snprintf(options, sizeof options, "{\"holder_key\": %s}", hw.jwk);
  char *cred = NULL;
  OK(passerelle_issue_sd_jwt_vc(s, claims, options, AT, &cred));
  struct { enum mode mode; uint32_t format; passerelle_result code; } cases[] = {
      {FAIL_STATUS, PASSERELLE_SIGNATURE_DER, PASSERELLE_CALLBACK_FAILED},
      {WRONG_LENGTH, PASSERELLE_SIGNATURE_RAW, PASSERELLE_CALLBACK_INVALID_OUTPUT},
      {DER_AS_RAW, PASSERELLE_SIGNATURE_RAW, PASSERELLE_CALLBACK_INVALID_OUTPUT},
      {RAW_AS_DER, PASSERELLE_SIGNATURE_DER, PASSERELLE_CALLBACK_INVALID_OUTPUT},
      {GARBAGE, PASSERELLE_SIGNATURE_RAW, PASSERELLE_CALLBACK_INVALID_OUTPUT},
      {OVER_CAPACITY, PASSERELLE_SIGNATURE_RAW, PASSERELLE_CALLBACK_INVALID_OUTPUT},
      {REENTER, PASSERELLE_SIGNATURE_RAW, PASSERELLE_REENTRANT_CALL},
      {GOOD_RAW, PASSERELLE_SIGNATURE_RAW, PASSERELLE_OK},
      {GOOD_DER, PASSERELLE_SIGNATURE_DER, PASSERELLE_OK},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    hw.mode = cases[i].mode;
    hw.calls = 0;
    OK(passerelle_signer_new(PASSERELLE_ALG_ES256, cases[i].format, hw.jwk, hw_sign, &hw, &cs));
    char *vp = NULL;
    EXPECT(cases[i].code, passerelle_present_sd_jwt(cred, "\"all\"", cs, "n", "https://rp.example", AT, &vp));
    CHECK(hw.calls == 1);
    CHECK((vp != NULL) == (cases[i].code == PASSERELLE_OK));
    if (cases[i].mode == REENTER) CHECK(hw.reentry_result == PASSERELLE_REENTRANT_CALL);
    if (vp) {
      char *result = NULL;
      OK(passerelle_verify(tv, (const uint8_t *)vp, strlen(vp), AT, "n", "https://rp.example", NULL, 0, NULL, &result));
      passerelle_string_free(result);
      passerelle_string_free(vp);
    }
    OK(passerelle_signer_free(cs));
  }
  /* after a re-entry attempt the library is usable again on this thread */
  OK(passerelle_verifier_new(TRUST, NULL, AT, &v2));
  OK(passerelle_verifier_free(v2));
  /* a signer whose public key does not match the key it signs with */
  struct hw_key other;
  hw_key_init(&other);
  hw.mode = GOOD_DER;
  OK(passerelle_signer_new(PASSERELLE_ALG_ES256, PASSERELLE_SIGNATURE_DER, other.jwk, hw_sign, &hw, &cs));
  EXPECT(PASSERELLE_CALLBACK_INVALID_OUTPUT, passerelle_present_sd_jwt(cred, "\"all\"", cs, "n", "a", AT, &out));
  OK(passerelle_signer_free(cs));
  hw_key_free(&other);
  passerelle_string_free(cred);

  OK(passerelle_key_agreement_free(ka));
  OK(passerelle_verifier_free(tv));
  OK(passerelle_signer_free(s));
  OK(passerelle_verifier_free(v));
  hw_key_free(&hw);
  free(issuer_jwk);
  free(trust);
  free(claims);
  printf("errors: %d passed, 0 failed\n", checks);
  return 0;
}
