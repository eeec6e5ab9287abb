import { defineCodes } from './define.js';

/**
 * Codes of the testers' tools: the hardware simulators and their control panel (hardware-sim/README.md), the
 * scenario runner, and the command lines of the stand-ins. None reaches a resident; the "operator" is the tester.
 */
export const SIMULATOR_ERRORS = defineCodes({
  SIM_BAD_REQUEST: {
    meaning: 'A control-panel request whose body or parameters are not what the route takes.',
    resident: null,
    operator: 'Fix the request: the message names the field and what it takes.',
  },
  SIM_NOT_FOUND: {
    meaning: 'A control-panel request for something that does not exist (a printed job, page or PDF).',
    resident: null,
    operator: 'List what exists first (GET /api/state, /api/printer/jobs).',
  },
  SIM_NOT_STARTED: {
    meaning: 'A simulated device was asked to act before it was started.',
    resident: null,
    operator: 'Start the simulators (npm run sim, npm start) before driving them.',
  },
  SIM_UNKNOWN_RESIDENT: {
    meaning: 'A card was asked for a test resident the simulator does not have.',
    resident: null,
    operator: 'Use a resident id from GET /api/residents.',
  },
  SIM_UNPLUGGED: {
    meaning: 'A key press was asked of a PIN pad that is unplugged in the simulator.',
    resident: null,
    operator: 'Plug the PIN pad back in on the panel first.',
  },
  SIM_PDF_INVALID: {
    meaning: 'The simulated printer received a job whose document is not a complete PDF.',
    resident: null,
    operator: 'The kiosk sent a broken job: look at the kiosk log for the job id.',
  },
  SIM_INTERNAL: {
    meaning: 'The control panel failed inside (a bug); logged with the route.',
    resident: null,
    operator: 'Report it with the simulator log.',
  },
  SIM_MISDIRECTED: {
    meaning: 'A control-panel request whose Host is not the panel’s own loopback address (DNS rebinding).',
    resident: null,
    operator: 'Open the panel at the address the simulator printed.',
  },
  SIM_FORBIDDEN_ORIGIN: {
    meaning: 'A control-panel change from another origin (a web page trying to drive the devices).',
    resident: null,
    operator: 'Use the panel page itself or a client without an Origin header.',
  },
  SIM_UNSUPPORTED_MEDIA_TYPE: {
    meaning: 'A control-panel change that is not JSON (forms and text/plain are refused: cross-site posts).',
    resident: null,
    operator: 'Send Content-Type: application/json.',
  },
  SIM_PANEL_NOT_LOOPBACK: {
    meaning: 'The control panel was asked to listen on an address other than loopback.',
    resident: null,
    operator: 'The panel is for the local machine only: leave its host at 127.0.0.1 or ::1.',
  },
  SIM_SOCAT_MISSING: {
    meaning: 'socat, which makes the virtual serial cables, is not installed.',
    resident: null,
    operator: 'apt-get install socat (npm test installs it: scripts/ensure-debian-packages.sh).',
  },
  SIM_SOCAT_EXITED: {
    meaning: 'socat exited before it made the virtual serial cable.',
    resident: null,
    operator: 'Read the socat message in the error; check /dev/pts is writable.',
  },
  SIM_SOCAT_TIMEOUT: {
    meaning: 'socat did not create its two pseudo-terminals in time.',
    resident: null,
    operator: 'The machine is overloaded or /dev/pts is full; try again.',
  },
  SCENARIO_INVALID: {
    meaning: 'A scenario file that is not valid (its schema names the step and field).',
    resident: null,
    operator: 'Fix the scenario file.',
  },
  SCENARIO_STEP_FAILED: {
    meaning: 'A scenario step could not be carried out on the simulators.',
    resident: null,
    operator: 'The message names the step; check the simulators are running.',
  },
  SCENARIO_EXPECTATION_FAILED: {
    meaning: 'A scenario expectation did not hold (the system under test behaved otherwise).',
    resident: null,
    operator: 'The message names the step, what was expected and what was seen.',
  },
  SCENARIO_TIMEOUT: {
    meaning: 'A scenario step waited longer than its timeout for what it expects.',
    resident: null,
    operator: 'The message names the step; raise its timeout or look at the kiosk log.',
  },
  CLI_BAD_ARGUMENT: {
    meaning: 'A command line with an unknown option, a missing value or a value of the wrong form.',
    resident: null,
    operator: 'The message names the option; the usage text follows.',
  },
});
