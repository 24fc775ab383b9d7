import type { MediaRef } from '@omnifuse/core';
import type { DecodedAudio } from '../decode/decoded-audio.js';

/** What an audio encoder takes: a media reference (a file) or audio already decoded. */
export type AudioRaw = MediaRef | DecodedAudio;
