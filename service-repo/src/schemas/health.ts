import { Type } from '@sinclair/typebox';

export const LiveSchema = Type.Object({ status: Type.Literal('ok') });

export const ReadySchema = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('idle'), Type.Literal('loading'), Type.Literal('failed')]),
  model: Type.Optional(Type.Object({ name: Type.String(), version: Type.String() })),
  error: Type.Optional(Type.String({ description: 'Why the model could not be loaded (state failed)' })),
});
