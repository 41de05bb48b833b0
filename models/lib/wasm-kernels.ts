// Placeholder: the training helper registers Conv2DBackpropFilter (and a fast Conv2DBackpropInput) for wasm here.
export {};
