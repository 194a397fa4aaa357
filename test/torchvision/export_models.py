#!/usr/bin/python3
"""Exports torchvision classifiers to ONNX with random weights.

Runs under Debian's /usr/bin/python3 (python3-torch, python3-torchvision);
needs no onnx package. Usage: export_models.py OUT_DIR OPSET [MODEL ...]

Random init leaves BatchNorm at mean 0 / var 1, which shrinks activations
layer by layer until the logits are ~1e-14 and any comparison passes. So the
BatchNorm statistics are calibrated first: one forward pass in training mode
with momentum 1 makes each layer's running stats its batch stats, and the
affine parameters are randomized, so the outputs are O(1) and BN folding is
exercised with non-trivial values.
"""
import os
import sys

import torch
import torchvision

MODELS = ["resnet18", "resnet50", "mobilenet_v2", "mobilenet_v3_small",
          "squeezenet1_1", "efficientnet_b0"]


def export(name, opset, path):
    torch.manual_seed(0)
    model = getattr(torchvision.models, name)(weights=None)
    for m in model.modules():
        if isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
            m.momentum = 1.0
            torch.nn.init.uniform_(m.weight, 0.5, 1.5)
            torch.nn.init.uniform_(m.bias, -0.2, 0.2)
    with torch.no_grad():
        model.train()
        model(torch.randn(4, 3, 224, 224))
    model.eval()
    torch.onnx.export(model, torch.randn(1, 3, 224, 224), path,
                      opset_version=opset, input_names=["input"],
                      output_names=["logits"])


def main():
    out_dir, opset = sys.argv[1], int(sys.argv[2])
    os.makedirs(out_dir, exist_ok=True)
    for name in sys.argv[3:] or MODELS:
        path = os.path.join(out_dir, f"{name}_opset{opset}.onnx")
        if not os.path.exists(path):
            export(name, opset, path)
        print(path, flush=True)


if __name__ == "__main__":
    main()
