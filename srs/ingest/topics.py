"""Topic tags from text by keyword: the 15 topic slugs of the bundled decks.

Keyword matching is deliberately simple: a phrase list per slug, longest phrases first (so
"gradient checkpointing" is performance, not serialization), tags in the order they appear, at most 3.
"""

from __future__ import annotations

import re

MAX_TAGS = 3

KEYWORDS: dict[str, tuple[str, ...]] = {
    "tensor-ops": (
        "tensor", "tensors", "broadcasting", "broadcast", "reshape", "view", "views", "squeeze", "unsqueeze", "indexing",
        "slicing", "dtype", "data type", "stride", "strides", "contiguous", "contiguity", "matmul", "matrix multiplication",
        "torch.cat", "torch.stack", "numpy", "transpose", "permute", "one-hot", "element-wise", "elementwise",
    ),
    "autograd": (
        "autograd", "backward", "backpropagation", "backprop", "requires_grad", "grad_fn", "computational graph",
        "computational graphs", "computation graph", "computation graphs", "dynamic graph", "dynamic graphs",
        "no_grad", "derivative", "derivatives", "jacobian", "chain rule", "detach", "leaf node", "gradients", "gradient",
    ),
    "nn-modules": (
        "nn.module", "layer", "layers", "activation", "activations", "activation function", "activation functions", "relu",
        "sigmoid", "tanh", "softmax", "nn.linear", "linear layer", "convolution", "convolutional", "conv2d", "cnn", "cnns",
        "pooling", "maxpool", "maxpooling", "flatten", "nn.sequential", "sequential", "modulelist", "batchnorm",
        "batch normalization", "embedding", "embeddings", "lstm", "rnn", "rnns", "transformer", "transformers", "attention",
        "multiheadattention", "encoder", "decoder", "resnet", "densenet", "skip connection", "skip connections",
        "neural network", "neural networks", "architecture", "architectures",
    ),
    "training-loop": (
        "training loop", "train loop", "epoch", "epochs", "zero_grad", "optimizer.step", "model.train", "model.eval",
        "model.eval()", "model.train()", "eval mode", "evaluation mode", "model evaluation", "validation", "mini-batch",
        "mini-batches", "batch size", "training step",
    ),
    "optimizers": (
        "optimizer", "optimizers", "optimization algorithm", "optimization algorithms", "sgd", "adam", "adamw", "rmsprop",
        "learning rate", "learning rates", "lr scheduler", "scheduler", "schedulers", "lr schedule", "momentum", "weight decay",
        "torch.optim",
    ),
    "loss-metrics": (
        "loss", "losses", "loss function", "loss functions", "cross-entropy", "crossentropy", "crossentropyloss",
        "mse", "mse loss", "nll", "nllloss", "metric", "metrics", "accuracy", "precision and recall", "f1",
    ),
    "data-loading": (
        "dataloader", "dataloaders", "dataset", "datasets", "data loading", "data pipeline", "data pipelines", "transforms",
        "transform", "image transforms", "data augmentation", "augmentation", "data normalization", "normalization",
        "preprocessing", "tokenization", "collate_fn", "shuffling", "shuffle", "sampler", "pinned memory", "pin memory",
        "pin_memory", "prefetch factor", "prefetch_factor", "num_workers", "torchvision", "pil",
    ),
    "deployment": (
        "deployment", "deploy", "production", "torchscript", "torch.jit", "jit", "onnx", "onnx export", "torch.export",
        "serving", "torchserve", "tensorrt", "quantization", "inference", "pruning", "model compression",
    ),
    "performance": (
        "performance", "vectorization", "vectorized", "in-place", "in-place operations", "memory usage", "memory management",
        "torch.compile", "gradient checkpointing", "activation checkpointing", "torch.utils.checkpoint", "benchmark",
        "cudnn.benchmark", "optimization", "dataloader optimization",
    ),
    "gpu-cuda": (
        "gpu", "gpus", "cuda", "gpu setup", "device", "devices", ".to(device)", ".cuda()", "cudnn", "multi-gpu",
        "multiple gpus", "tpu", "tpus",
    ),
    "custom-modules": (
        "custom module", "custom modules", "custom layer", "custom layers", "autograd.function", "hook", "hooks",
        "register_hook", "register_buffer", "buffer", "buffers", "nn.parameter", "custom loss", "lazy modules", "lazylinear",
    ),
    "debugging": (
        "debugging", "debug", "profiler", "profiling", "profile", "model inspection", "inspection", "gradcheck",
        "anomaly detection", "torch.profiler", "grad-cam", "saliency", "saliency maps", "bottleneck", "bottlenecks",
    ),
    "serialization": (
        "serialization", "model saving", "saving models", "save a model", "save the model", "torch.save", "torch.load",
        "state_dict", "checkpoint", "checkpoints", "load_state_dict", "pickle",
    ),
    "advanced-training": (
        "mixed precision", "mixed-precision", "amp", "autocast", "gradscaler", "distributed", "distributed training", "ddp",
        "dataparallel", "distributeddataparallel", "gradient accumulation", "gradient clipping", "clip_grad_norm_",
        "regularization", "dropout", "pytorch lightning", "lightning", "hyperparameter", "hyperparameters",
        "hyperparameter optimization", "hyperparameter tuning", "optuna", "ray tune", "gan", "gans", "diffusion",
        "diffusion models", "stable diffusion",
    ),
    "transfer-learning": (
        "transfer learning", "pretrained", "pre-trained", "pretrained models", "pretrained model", "fine-tune", "fine-tuning",
        "finetune", "finetuning", "fine tune", "freeze", "freezing", "frozen", "feature extraction", "bert",
    ),
}

TOPIC_SLUGS = tuple(KEYWORDS)


def _compile() -> list[tuple[re.Pattern, str]]:
    phrases = [(phrase, slug) for slug, words in KEYWORDS.items() for phrase in words]
    phrases.sort(key=lambda pair: -len(pair[0]))
    # No lookbehind for the left word boundary (``_mentions`` checks it): a pattern that starts with
    # its literal text is found by SRE's fast substring search, about 100x faster on long text.
    return [(re.compile(re.escape(phrase) + r"(?![\w])"), slug) for phrase, slug in phrases]


_PATTERNS = _compile()


def _starts_word(text: str, start: int) -> bool:
    """Whether a phrase found at ``start`` begins a word: not preceded by a word character or a dot."""
    if start == 0:
        return True
    before = text[start - 1]
    return not (before.isalnum() or before in "_.")


def _mentions(pattern: re.Pattern, text: str) -> list[tuple[int, int]]:
    """Non-overlapping spans of ``pattern`` standing as words, left to right (as ``finditer`` with a lookbehind)."""
    spans: list[tuple[int, int]] = []
    position = 0
    while (match := pattern.search(text, position)) is not None:
        if _starts_word(text, match.start()):
            spans.append(match.span())
            position = match.end()
        else:
            position = match.start() + 1
    return spans


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with each span replaced by as many spaces (so shorter phrases inside it are not found again)."""
    pieces, last = [], 0
    for start, end in spans:
        pieces += [text[last:start], " " * (end - start)]
        last = end
    pieces.append(text[last:])
    return "".join(pieces)


def topic_tags(text: str, limit: int = MAX_TAGS) -> tuple[str, ...]:
    """Topic slugs named in ``text``, in order of first mention, at most ``limit``.

    Linear in the length of ``text``: each phrase is one scan, and its mentions are blanked in one pass.
    """
    lowered = text.lower()
    found: list[tuple[int, str]] = []
    for pattern, slug in _PATTERNS:
        spans = _mentions(pattern, lowered)
        if spans:
            found += [(start, slug) for start, _ in spans]
            lowered = _blank(lowered, spans)
    ordered = [slug for _, slug in sorted(found)]
    return tuple(dict.fromkeys(ordered))[:limit]
