import assert from "node:assert/strict";
import { parseFwknopdConf } from "../../../core/fwknop/mod.ts";

Deno.test("fwknopd.conf: the port from PCAP_FILTER or the UDP server, the window, refusals with their line", () => {
  assert.deepEqual(
    parseFwknopdConf(
      "# fwknopd.conf\nPCAP_INTF eth0;\nPCAP_FILTER udp port 62299;\nMAX_SPA_PACKET_AGE 60;\n",
    ),
    { port: 62299, maxAge: 60, errors: [] },
  );
  assert.deepEqual(parseFwknopdConf("ENABLE_UDP_SERVER Y\nUDPSERV_PORT 4000\n"), {
    port: 4000,
    maxAge: undefined,
    errors: [],
  });
  assert.deepEqual(parseFwknopdConf("PCAP_FILTER udp dst port 1234\n").port, 1234);
  assert.deepEqual(parseFwknopdConf("").port, undefined);
  assert.deepEqual(parseFwknopdConf("\nPCAP_FILTER udp port 1 or tcp port 2\n").errors, [{
    line: 2,
    message:
      'PCAP_FILTER "udp port 1 or tcp port 2": only "udp port N" is understood (or give --fwknop-port)',
  }]);
  assert.equal(parseFwknopdConf("ENABLE_SPA_PACKET_AGING N\n").errors[0]?.line, 1);
  assert.equal(parseFwknopdConf("MAX_SPA_PACKET_AGE 0\n").errors.length, 1);
});
