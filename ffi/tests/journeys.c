/* The whole journeys through the C ABI: SD-JWT VC, vc+sd-jwt, vc+jwt and mdoc
 * (deviceSignature and deviceMac), issuer keys in process, holder keys behind
 * callbacks; and did resolve. */
#include "common.h"

static passerelle_verifier make_verifier(void) {
  char *trust = read_file("trust.json");
  passerelle_verifier v = 0;
  OK(passerelle_verifier_new(trust, NULL, AT, &v));
  CHECK(v != 0);
  free(trust);
  return v;
}

static passerelle_signer software_signer(const char *file) {
  char *jwk = read_file(file);
  passerelle_signer s = 0;
  OK(passerelle_signer_from_jwk(jwk, &s));
  free(jwk);
  return s;
}

static void sd_jwt_vc(passerelle_verifier v, struct hw_key *holder, uint32_t format) {
  passerelle_signer issuer = software_signer("issuer_key.jwk");
  passerelle_signer hs = 0;
  OK(passerelle_signer_new(PASSERELLE_ALG_ES256, format, holder->jwk, hw_sign, holder, &hs));
  char *claims = read_file("pid_claims.json");
  char options[512];
  snprintf(options, sizeof options, "{\"holder_key\": %s, \"sd\": \"all\"}", holder->jwk);
  char *cred = NULL;
  OK(passerelle_issue_sd_jwt_vc(issuer, claims, options, AT, &cred));
  CHECK(cred && cred[strlen(cred) - 1] == '~');
  char *vp = NULL;
  int before = holder->calls;
  OK(passerelle_present_sd_jwt(cred, "[\"/given_name\", \"/birthdate\"]", hs, "nonce-1",
                               "https://rp.example", AT, &vp));
  CHECK(holder->calls == before + 1);
  char *result = NULL;
  OK(passerelle_verify(v, (const uint8_t *)vp, strlen(vp), AT, "nonce-1", "https://rp.example",
                       NULL, 0, NULL, &result));
  CHECK(strstr(result, "\"valid\":true") != NULL);
  CHECK(strstr(result, "\"given_name\":\"Erika\"") != NULL);
  CHECK(strstr(result, "\"family_name\":\"Mustermann\"") == NULL); /* not disclosed */
  CHECK(strstr(result, "\"state\":\"verified\"") != NULL);         /* holder binding */
  passerelle_string_free(result);
  /* the wrong nonce is a holder-binding failure */
  result = NULL;
  EXPECT(PASSERELLE_HOLDER_BINDING,
         passerelle_verify(v, (const uint8_t *)vp, strlen(vp), AT, "nonce-2",
                           "https://rp.example", NULL, 0, NULL, &result));
  CHECK(result == NULL); /* outputs only on success */
  /* a tampered presentation fails with its kind */
  vp[10] ^= 1;
  CHECK(passerelle_verify(v, (const uint8_t *)vp, strlen(vp), AT, "nonce-1",
                          "https://rp.example", NULL, 0, NULL, &result) != PASSERELLE_OK);
  passerelle_string_free(vp);
  passerelle_string_free(cred);
  free(claims);
  OK(passerelle_signer_free(hs));
  OK(passerelle_signer_free(issuer));
}

static void w3c_vc(passerelle_verifier v, struct hw_key *holder) {
  passerelle_signer issuer = software_signer("vc_issuer_key.jwk");
  passerelle_signer hs = 0;
  OK(passerelle_signer_new(PASSERELLE_ALG_ES256, PASSERELLE_SIGNATURE_DER, holder->jwk, hw_sign,
                           holder, &hs));
  char *claims = read_file("person_vc.json");
  char options[512];
  snprintf(options, sizeof options, "{\"holder_key\": %s}", holder->jwk);
  char *cred = NULL, *vp = NULL, *result = NULL;
  OK(passerelle_issue_vc(issuer, "vc+sd-jwt", claims, options, AT, &cred));
  OK(passerelle_present_sd_jwt(cred, "\"all\"", hs, "n-vc", "https://verifier.example.ca", AT,
                               &vp));
  OK(passerelle_verify(v, (const uint8_t *)vp, strlen(vp), AT, "n-vc",
                       "https://verifier.example.ca", NULL, 0, NULL, &result));
  CHECK(strstr(result, "\"valid\":true") && strstr(result, "vc+sd-jwt"));
  passerelle_string_free(result);
  passerelle_string_free(vp);
  passerelle_string_free(cred);
  /* vc+jwt */
  OK(passerelle_issue_vc(issuer, "vc+jwt", claims, NULL, AT, &cred));
  OK(passerelle_verify(v, (const uint8_t *)cred, strlen(cred), AT, NULL, NULL, NULL, 0, NULL,
                       &result));
  CHECK(strstr(result, "\"valid\":true") != NULL);
  passerelle_string_free(result);
  passerelle_string_free(cred);
  EXPECT(PASSERELLE_UNSUPPORTED, passerelle_issue_vc(issuer, "vc+ldp", claims, NULL, AT, &cred));
  free(claims);
  OK(passerelle_signer_free(hs));
  OK(passerelle_signer_free(issuer));
}

static void mdoc(passerelle_verifier v, struct hw_key *device) {
  passerelle_signer ds = software_signer("ds_key.jwk");
  char *chain = read_file("ds_chain.pem");
  char *claims = read_file("mdl_claims.json");
  /* options: {"device_key": JWK, "x5c": PEM} with the PEM's newlines escaped */
  size_t cap = strlen(chain) * 2 + 1024;
  char *options = malloc(cap), *p = options;
  p += sprintf(p, "{\"device_key\": %s, \"x5c\": \"", device->jwk);
  for (const char *c = chain; *c; c++) {
    if (*c == '\n') { *p++ = '\\'; *p++ = 'n'; } else *p++ = *c;
  }
  strcpy(p, "\"}");
  char *issued = NULL;
  OK(passerelle_issue_mdoc(ds, claims, options, AT, &issued));
  passerelle_signer dev = 0;
  OK(passerelle_signer_new(PASSERELLE_ALG_ES256, PASSERELLE_SIGNATURE_DER, device->jwk, hw_sign,
                           device, &dev));
  const char *disclose = "[[\"org.iso.18013.5.1\", \"age_over_18\"], [\"org.iso.18013.5.1\", \"given_name\"]]";
  char *response = NULL, *result = NULL;
  OK(passerelle_present_mdoc((const uint8_t *)issued, strlen(issued), disclose, TRANSCRIPT,
                             sizeof TRANSCRIPT, dev, &response));
  OK(passerelle_verify(v, (const uint8_t *)response, strlen(response), AT, NULL, NULL, TRANSCRIPT,
                       sizeof TRANSCRIPT, NULL, &result));
  CHECK(strstr(result, "\"valid\":true") && strstr(result, "\"age_over_18\":true"));
  CHECK(strstr(result, "Mustermann") == NULL);
  passerelle_string_free(result);
  /* another transcript: the device signature does not cover it */
  const uint8_t other[] = {0x83, 0xf6, 0xf6, 0x64, 'x', 'e', 's', 't'};
  CHECK(passerelle_verify(v, (const uint8_t *)response, strlen(response), AT, NULL, NULL, other,
                          sizeof other, NULL, &result) != PASSERELLE_OK);
  passerelle_string_free(response);
  /* deviceMac: ECDH through the key-agreement callback */
  passerelle_key_agreement ka = 0;
  OK(passerelle_key_agreement_new(device->jwk, hw_agree, device, &ka));
  char *reader_public = read_file("reader_public.jwk");
  char *reader_private = read_file("reader_key.jwk");
  int before = device->calls;
  OK(passerelle_present_mdoc_mac((const uint8_t *)issued, strlen(issued), "\"all\"", TRANSCRIPT,
                                 sizeof TRANSCRIPT, ka, reader_public, &response));
  CHECK(device->calls == before + 1);
  OK(passerelle_verify(v, (const uint8_t *)response, strlen(response), AT, NULL, NULL, TRANSCRIPT,
                       sizeof TRANSCRIPT, reader_private, &result));
  CHECK(strstr(result, "\"valid\":true") && strstr(result, "Mustermann"));
  passerelle_string_free(result);
  /* a key agreement that returns a short secret */
  device->mode = WRONG_LENGTH;
  char *none = NULL;
  EXPECT(PASSERELLE_CALLBACK_INVALID_OUTPUT,
         passerelle_present_mdoc_mac((const uint8_t *)issued, strlen(issued), "\"all\"",
                                     TRANSCRIPT, sizeof TRANSCRIPT, ka, reader_public, &none));
  device->mode = FAIL_STATUS;
  EXPECT(PASSERELLE_CALLBACK_FAILED,
         passerelle_present_mdoc_mac((const uint8_t *)issued, strlen(issued), "\"all\"",
                                     TRANSCRIPT, sizeof TRANSCRIPT, ka, reader_public, &none));
  CHECK(none == NULL);
  device->mode = GOOD_DER;
  passerelle_string_free(response);
  OK(passerelle_key_agreement_free(ka));
  OK(passerelle_signer_free(dev));
  OK(passerelle_signer_free(ds));
  free(reader_public);
  free(reader_private);
  passerelle_string_free(issued);
  free(options);
  free(claims);
  free(chain);
}

/* The issuer's key behind a callback too (an HSM): issue, then verify with a
 * trust file naming that key. */
static void callback_issuer(void) {
  struct hw_key hsm;
  hw_key_init(&hsm);
  passerelle_signer issuer = 0;
  OK(passerelle_signer_new(PASSERELLE_ALG_ES256, PASSERELLE_SIGNATURE_DER, hsm.jwk, hw_sign, &hsm,
                           &issuer));
  char trust[512];
  size_t n = strlen(hsm.jwk);
  snprintf(trust, sizeof trust, "{\"issuers\": [%.*s, \"iss\": \"https://hsm.example\"}]}",
           (int)(n - 1), hsm.jwk);
  passerelle_verifier v = 0;
  OK(passerelle_verifier_new(trust, NULL, AT, &v));
  char *cred = NULL, *result = NULL;
  OK(passerelle_issue_sd_jwt_vc(
      issuer, "{\"iss\": \"https://hsm.example\", \"vct\": \"urn:example:badge\", \"level\": 3}",
      "{\"sd\": [\"/level\"], \"decoys\": 0}", AT, &cred));
  CHECK(hsm.calls == 1);
  OK(passerelle_verify(v, (const uint8_t *)cred, strlen(cred), AT, NULL, NULL, NULL, 0, NULL, &result));
  CHECK(strstr(result, "\"valid\":true") && strstr(result, "\"level\":3"));
  passerelle_string_free(result);
  passerelle_string_free(cred);
  OK(passerelle_verifier_free(v));
  OK(passerelle_signer_free(issuer));
  hw_key_free(&hsm);
}

static void did(void) {
  const char *did =
      "did:jwk:eyJjcnYiOiJQLTI1NiIsImt0eSI6IkVDIiwieCI6ImFjYklRaXVNczNpOF91c3pFakoydHBUdFJNNEVVM3l6OTFQSDZDZEgyVjAiLCJ5IjoiX0tjeUxqOXZXTXB0bm1LdG00NkdxRHo4d2Y3NEk1TEtncmwyR3pIM25TRSJ9";
  char *result = NULL;
  OK(passerelle_did_resolve(did, NULL, 0, NULL, 0, AT, 0, &result));
  CHECK(strstr(result, "\"valid\":true") && strstr(result, "assertionMethod"));
  passerelle_string_free(result);
  EXPECT(PASSERELLE_UNSUPPORTED,
         passerelle_did_resolve("did:web:example.com", NULL, 0, NULL, 0, AT, 0, &result));
  EXPECT(PASSERELLE_API_MISUSE, passerelle_did_resolve("did:web:example.com", (const uint8_t *)"{}",
                                                       2, (const uint8_t *)"{}", 2, AT, 0, &result));
}

/* Status lists handed in by the app (fixtures/status_list.jwt: the issuer's
 * Token Status List, index 5 revoked, index 6 valid, ttl 600 s). */
static void status_lists(passerelle_verifier v) {
  passerelle_signer issuer = software_signer("issuer_key.jwk");
  char *pid = read_file("pid_claims.json");
  char *list = read_file("status_list.jwt");
  size_t list_len = strlen(list);
  while (list_len > 0 && (list[list_len - 1] == '\n' || list[list_len - 1] == '\r')) list_len--;
  passerelle_bytes lists[1] = {{(const uint8_t *)list, list_len}};
  for (int idx = 5; idx <= 6; idx++) {
    size_t n = strlen(pid) + 128;
    char *claims = malloc(n);
    CHECK(claims != NULL);
    size_t end = strlen(pid);
    while (end > 0 && pid[end - 1] != '}') end--;
    snprintf(claims, n, "%.*s,\"status\":{\"status_list\":{\"idx\":%d,\"uri\":\"https://issuer.example/status/ffi\"}}}",
             (int)(end - 1), pid, idx);
    char *cred = NULL;
    OK(passerelle_issue_sd_jwt_vc(issuer, claims, "{\"sd\": \"all\"}", AT, &cred));
    char *result = NULL;
    if (idx == 5) {
      EXPECT(PASSERELLE_REVOKED,
             passerelle_verify_with_status(v, (const uint8_t *)cred, strlen(cred), AT, NULL, NULL,
                                           NULL, 0, NULL, lists, 1, AT, &result));
      CHECK(result == NULL);
      /* fetched 20 minutes before, past its ttl: not revoked, expired (undetermined) */
      EXPECT(PASSERELLE_EXPIRED,
             passerelle_verify_with_status(v, (const uint8_t *)cred, strlen(cred), AT, NULL, NULL,
                                           NULL, 0, NULL, lists, 1, AT - 1200, &result));
    } else {
      OK(passerelle_verify_with_status(v, (const uint8_t *)cred, strlen(cred), AT, NULL, NULL,
                                       NULL, 0, NULL, lists, 1, AT, &result));
      CHECK(strstr(result, "\"state\":\"valid\"") != NULL);
      passerelle_string_free(result);
      /* without lists: not checked */
      result = NULL;
      OK(passerelle_verify(v, (const uint8_t *)cred, strlen(cred), AT, NULL, NULL, NULL, 0, NULL,
                           &result));
      CHECK(strstr(result, "\"state\":\"not_checked\"") != NULL);
      passerelle_string_free(result);
    }
    /* a count without an array, and too many lists */
    EXPECT(PASSERELLE_NULL_PARAMETER,
           passerelle_verify_with_status(v, (const uint8_t *)cred, strlen(cred), AT, NULL, NULL,
                                         NULL, 0, NULL, NULL, 1, AT, &result));
    EXPECT(PASSERELLE_LIMIT_EXCEEDED,
           passerelle_verify_with_status(v, (const uint8_t *)cred, strlen(cred), AT, NULL, NULL,
                                         NULL, 0, NULL, lists, PASSERELLE_MAX_STATUS_LISTS + 1, AT,
                                         &result));
    passerelle_string_free(cred);
    free(claims);
  }
  free(list);
  free(pid);
  OK(passerelle_signer_free(issuer));
}

/* The wallet store through the ABI: open (key from the "keystore"), add what
 * verifies, list, match a DCQL query, present, remove; a verifier handle is
 * not a wallet. */
static void wallet(passerelle_verifier v) {
  char path[256];
  snprintf(path, sizeof path, "/tmp/passerelle-ffi-wallet-%d.db", (int)getpid());
  remove(path);
  uint8_t key[32];
  memset(key, 0x42, sizeof key);
  char *trust = read_file("trust.json");
  passerelle_wallet w = 0;
  OK(passerelle_wallet_open(path, key, sizeof key, trust, NULL, AT, &w));
  EXPECT(PASSERELLE_API_MISUSE, passerelle_wallet_open(path, key, 31, trust, NULL, AT, &w));
  passerelle_signer issuer = software_signer("issuer_key.jwk");
  char *holder = read_file("reader_key.jwk");
  char *claims = read_file("pid_claims.json");
  /* the holder's public JWK for cnf: the private one minus "d" is what the
   * issuer options take; the library accepts a private JWK there too */
  char options[1024];
  snprintf(options, sizeof options, "{\"holder_key\": %s, \"sd\": \"all\"}", holder);
  char *cred = NULL;
  OK(passerelle_issue_sd_jwt_vc(issuer, claims, options, AT, &cred));
  char *id = NULL;
  /* tampered: refused, nothing stored */
  char *bad = malloc(strlen(cred) + 1);
  CHECK(bad != NULL);
  memcpy(bad, cred, strlen(cred) + 1);
  char *tilde = strchr(bad, '~');
  CHECK(tilde && tilde[1]);
  tilde[1] = tilde[1] == 'A' ? 'B' : 'A';
  CHECK(passerelle_wallet_add(w, (const uint8_t *)bad, strlen(bad), holder, AT, &id) != PASSERELLE_OK);
  CHECK(id == NULL);
  free(bad);
  OK(passerelle_wallet_add(w, (const uint8_t *)cred, strlen(cred), holder, AT, &id));
  CHECK(strstr(id, "\"id\":") != NULL);
  char *list = NULL;
  OK(passerelle_wallet_list(w, &list));
  CHECK(strstr(list, "\"credential_type\":\"urn:eudi:pid:1\"") != NULL);
  CHECK(strstr(list, "\"d\"") == NULL); /* no secrets */
  passerelle_string_free(list);
  const char *query = "{\"credentials\": [{\"id\": \"pid\", \"format\": \"dc+sd-jwt\", "
                      "\"meta\": {\"vct_values\": [\"urn:eudi:pid:1\"]}, "
                      "\"claims\": [{\"path\": [\"given_name\"]}]}]}";
  char *m = NULL;
  OK(passerelle_wallet_match_dcql(w, query, &m));
  CHECK(strstr(m, "\"satisfied\":true") != NULL);
  passerelle_string_free(m);
  char *vp = NULL;
  OK(passerelle_wallet_present(w, query, "x509_san_dns:rp.example", "n-ffi", "https://rp.example/r", AT, &vp));
  CHECK(strstr(vp, "\"pid\":[\"") != NULL);
  passerelle_string_free(vp);
  /* a verifier handle is not a wallet; a wallet is not a verifier */
  EXPECT(PASSERELLE_INVALID_HANDLE, passerelle_wallet_list(v, &list));
  char *r = NULL;
  EXPECT(PASSERELLE_INVALID_HANDLE,
         passerelle_verify(w, (const uint8_t *)cred, strlen(cred), AT, NULL, NULL, NULL, 0, NULL, &r));
  /* remove: nothing to present any more */
  char idbuf[64] = {0};
  const char *start = strstr(id, ":\"") + 2;
  memcpy(idbuf, start, strcspn(start, "\""));
  OK(passerelle_wallet_remove(w, idbuf));
  EXPECT(PASSERELLE_POLICY,
         passerelle_wallet_present(w, query, "x509_san_dns:rp.example", "n-ffi", "https://rp.example/r", AT, &vp));
  passerelle_string_free(id);
  passerelle_string_free(cred);
  free(claims);
  free(holder);
  free(trust);
  OK(passerelle_signer_free(issuer));
  OK(passerelle_wallet_free(w));
  EXPECT(PASSERELLE_INVALID_HANDLE, passerelle_wallet_free(w));
  remove(path);
  char side[300];
  snprintf(side, sizeof side, "%s-wal", path);
  remove(side);
  snprintf(side, sizeof side, "%s-shm", path);
  remove(side);
}

int main(void) {
  CHECK(passerelle_abi_version() == PASSERELLE_ABI_VERSION);
  CHECK(strncmp(passerelle_version(), "passerelle-ffi ", 15) == 0);
  passerelle_verifier v = make_verifier();
  struct hw_key holder;
  hw_key_init(&holder);
  sd_jwt_vc(v, &holder, PASSERELLE_SIGNATURE_DER);
  holder.mode = GOOD_RAW;
  sd_jwt_vc(v, &holder, PASSERELLE_SIGNATURE_RAW);
  holder.mode = GOOD_DER;
  w3c_vc(v, &holder);
  mdoc(v, &holder);
  callback_issuer();
  did();
  status_lists(v);
  wallet(v);
  OK(passerelle_verifier_free(v));
  hw_key_free(&holder);
  printf("journeys: %d passed, 0 failed\n", checks);
  return 0;
}
