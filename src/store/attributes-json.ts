// The attributes' JSON shape moved to model/attributes-json.ts (the verdicts' JSON, built by
// the correlator, needs it and correlate/ does not import store/); re-exported for store/ and api/.
export { type AttributesJson, attributesJson } from '../model/attributes-json.ts';
