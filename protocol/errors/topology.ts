import { defineCodes } from './define.js';

const OUT_OF_SERVICE = {
  ja: 'この端末は現在ご利用いただけません。お手数ですが店舗スタッフにお知らせください。',
  en: 'This kiosk is out of service. Please tell a member of staff.',
} as const;

/**
 * Topology self-checks: at start every part checks what it is connected to and refuses to run when it is not
 * what its configuration says (relay/README.md, kiosk/README.md, vrs-sim/README.md "Topology self-checks").
 */
export const TOPOLOGY_ERRORS = defineCodes({
  RELAY_TOPOLOGY_ROUTE_MISMATCH: {
    meaning:
      'A municipality of the relay routing table is not served by the VRS endpoint the table names (the endpoint said so when asked at start).',
    resident: null,
    operator:
      'The relay refused to start: the configuration routes a municipality to an endpoint that does not serve it. Fix vrsEndpoints[].municipalities or point it at the right VRS.',
  },
  RELAY_TOPOLOGY_VRS_UNCHECKED: {
    meaning:
      'A VRS endpoint did not answer the routing check at start (link down); its routes are unchecked.',
    resident: null,
    operator:
      'The relay started, but could not yet verify an endpoint’s municipalities; the check runs again when the link comes up. Check the LGWAN link.',
  },
  RELAY_TOPOLOGY_CLUSTER_MISMATCH: {
    meaning: 'Another running relay of the cluster (same database) has a different cluster configuration.',
    resident: null,
    operator:
      'The relay refused to start: every relay of a cluster must share identity key, VRS endpoints, routes, limits and mode. The message names the fields that differ.',
  },
  RELAY_TOPOLOGY_SCHEMA_MISMATCH: {
    meaning: 'Another running relay of the cluster uses a different database schema version.',
    resident: null,
    operator:
      'The relay refused to start: the cluster runs two software versions on one database. Finish the rollout (stop the old processes) before starting this one.',
  },
  RELAY_TOPOLOGY_TEST_KEY: {
    meaning: 'In production mode, the relay is configured with a key published in the repository for tests.',
    resident: null,
    operator:
      'The relay refused to start (RELAY_MODE=production): its identity or a pinned VRS key is a published test key. Generate real keys.',
  },
  RELAY_TOPOLOGY_DEMO_ADMIN: {
    meaning: 'In production mode, the relay database holds the demo admin account that `npm start` creates.',
    resident: null,
    operator:
      'The relay refused to start (RELAY_MODE=production): remove or disable the demo-admin operator (relay:cli) first.',
  },
  KIOSK_TOPOLOGY_RELAY_KEY: {
    meaning: 'The relay on the dedicated line did not prove the pinned relay key at start.',
    resident: OUT_OF_SERVICE,
    operator:
      'The kiosk refused to start: the responder on the relay address is not the relay whose key is pinned in its configuration (wrong address, wrong key, or an impostor).',
  },
  KIOSK_TOPOLOGY_DEVICE_MODEL: {
    meaning: 'A device did not answer with the model the kiosk expects at start.',
    resident: OUT_OF_SERVICE,
    operator:
      'The kiosk refused to start: a device on a configured port is not the expected model (swapped cables or a foreign device). The message names the port role and the model found.',
  },
  VRS_TOPOLOGY_KEY_MISSING: {
    meaning: 'A municipality with records or a key on record has no usable key file at VRS start.',
    resident: null,
    operator:
      'VRS refused to start: restore the municipality key files from backup (the message names the municipality codes). A new key is never made for them.',
  },
});
