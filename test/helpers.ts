// Shared by every test file: the native backend or a loud failure (never a silent pure-JS fallback).
import { requireNativeBackend } from '../src/backend';

export const backendReady = requireNativeBackend();
