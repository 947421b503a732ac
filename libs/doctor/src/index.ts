/** `imagefleet doctor`: every set-up check from each point of view, one line per problem with its fix. */
export { runDoctor, formatDoctor, type DoctorCheck, type DoctorOptions } from './doctor.js';
