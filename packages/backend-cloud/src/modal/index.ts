export { descriptor, type ModalBackendOptions, parseGpu } from "./descriptor.js";
export { modal } from "./modal-backend.js";
