/** The id of the built-in training loop (`trainer:supervised`), named in its errors. */
export const TRAINER_ID = 'trainer:supervised';
