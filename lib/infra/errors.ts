/** Errors the constructs throw at synth, before anything is built. */

/** A construct property (or the context key it comes from) outside what AWS or Baton allows. */
export class InvalidPropsError extends Error {
  override readonly name = 'Baton.InvalidProps';
}
