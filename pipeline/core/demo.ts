/** The simulated channel of `bitbrat serve --demo`: its connector id and channel, known to the console too. */
export const DEMO_CONNECTOR = 'demo';
export const DEMO_CHANNEL = 'demo_channel';
