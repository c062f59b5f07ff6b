"""Demo content for `manage.py load_demo`: real papers, demo users, summaries, comments, votes.

Plain data only, so it can be read and reviewed without Django. Paper metadata is real
(titles, ordered author lists, venues, arXiv ids, DOIs, first-published dates); an author
who signs differently across papers (for example "Jimmy Lei Ba" and "Jimmy Ba") is listed
under one spelling so that the author pages group their papers. The demo users are fictitious.
"""

import datetime as dt

DEMO_PASSWORD = "demo-password"  # noqa: S105 (published on purpose so visitors can sign in)  # nosec B105

# (slug, short name, full name, kind, url); the same values as the seeded venues, so that
# `get_or_create` by slug finds them or, on a database without the seed, makes them.
VENUES = [
    (
        "neurips",
        "NeurIPS",
        "Conference on Neural Information Processing Systems",
        "conference",
        "https://neurips.cc",
    ),
    (
        "iclr",
        "ICLR",
        "International Conference on Learning Representations",
        "conference",
        "https://iclr.cc",
    ),
    (
        "icml",
        "ICML",
        "International Conference on Machine Learning",
        "conference",
        "https://icml.cc",
    ),
    (
        "cvpr",
        "CVPR",
        "IEEE/CVF Conference on Computer Vision and Pattern Recognition",
        "conference",
        "https://cvpr.thecvf.com",
    ),
    (
        "naacl",
        "NAACL",
        "Conference of the North American Chapter of the ACL",
        "conference",
        "https://naacl.org",
    ),
    (
        "jmlr",
        "JMLR",
        "Journal of Machine Learning Research",
        "journal",
        "https://jmlr.org",
    ),
    ("nature", "Nature", "Nature", "journal", "https://www.nature.com"),
    ("arxiv", "arXiv", "arXiv (CoRR)", "preprint", "https://arxiv.org"),
]

# "key" names a paper inside this file; summaries, comments and votes refer to it.
# arxiv_version is the latest version on arXiv, None when not on arXiv.
PAPERS = [
    {
        "key": "attention",
        "title": "Attention Is All You Need",
        "authors": [
            "Ashish Vaswani",
            "Noam Shazeer",
            "Niki Parmar",
            "Jakob Uszkoreit",
            "Llion Jones",
            "Aidan N. Gomez",
            "Łukasz Kaiser",
            "Illia Polosukhin",
        ],
        "venue": "neurips",
        "year": 2017,
        "published_on": dt.date(2017, 6, 12),
        "arxiv_id": "1706.03762",
        "arxiv_version": 7,
        "doi": "",
        "abstract": (
            "The dominant sequence transduction models are based on complex recurrent or "
            "convolutional neural networks that include an encoder and a decoder. The best "
            "performing models also connect the encoder and decoder through an attention "
            "mechanism. We propose a new simple network architecture, the Transformer, based "
            "solely on attention mechanisms, dispensing with recurrence and convolutions "
            "entirely."
        ),
        "keywords": ["transformers", "attention", "machine translation"],
    },
    {
        "key": "rethinking-generalization",
        "title": "Understanding deep learning requires rethinking generalization",
        "authors": [
            "Chiyuan Zhang",
            "Samy Bengio",
            "Moritz Hardt",
            "Benjamin Recht",
            "Oriol Vinyals",
        ],
        "venue": "iclr",
        "year": 2017,
        "published_on": dt.date(2016, 11, 10),
        "arxiv_id": "1611.03530",
        "arxiv_version": 2,
        "doi": "",
        "abstract": (
            "Despite their massive size, successful deep artificial neural networks can "
            "exhibit a remarkably small difference between training and test performance. "
            "Conventional wisdom attributes small generalization error either to properties "
            "of the model family, or to the regularization techniques used during training. "
            "Through extensive systematic experiments, we show how these traditional "
            "approaches fail to explain why large neural networks generalize well in practice."
        ),
        "keywords": ["generalization", "learning theory", "regularization"],
    },
    {
        # Same venue and year as the paper above, and left without a summary on purpose:
        # the ICLR 2017 page then shows a paper still waiting for one.
        "key": "large-batch",
        "title": (
            "On Large-Batch Training for Deep Learning: Generalization Gap and Sharp Minima"
        ),
        "authors": [
            "Nitish Shirish Keskar",
            "Dheevatsa Mudigere",
            "Jorge Nocedal",
            "Mikhail Smelyanskiy",
            "Ping Tak Peter Tang",
        ],
        "venue": "iclr",
        "year": 2017,
        "published_on": dt.date(2016, 9, 15),
        "arxiv_id": "1609.04836",
        "arxiv_version": 2,
        "doi": "",
        "abstract": (
            "The stochastic gradient descent (SGD) method and its variants are algorithms of "
            "choice for many Deep Learning tasks. These methods operate in a small-batch "
            "regime wherein a fraction of the training data, say 32-512 data points, is "
            "sampled to compute an approximation to the gradient. It has been observed in "
            "practice that when using a larger batch there is a degradation in the quality of "
            "the model, as measured by its ability to generalize."
        ),
        "keywords": ["generalization", "optimization"],
    },
    {
        "key": "adam",
        "title": "Adam: A Method for Stochastic Optimization",
        "authors": ["Diederik P. Kingma", "Jimmy Ba"],
        "venue": "iclr",
        "year": 2015,
        "published_on": dt.date(2014, 12, 22),
        "arxiv_id": "1412.6980",
        "arxiv_version": 9,
        "doi": "",
        "abstract": (
            "We introduce Adam, an algorithm for first-order gradient-based optimization of "
            "stochastic objective functions, based on adaptive estimates of lower-order "
            "moments. The method is straightforward to implement, is computationally "
            "efficient, has little memory requirements, is invariant to diagonal rescaling of "
            "the gradients, and is well suited for problems that are large in terms of data "
            "and/or parameters."
        ),
        "keywords": ["optimization", "stochastic gradient descent"],
    },
    {
        "key": "bahdanau",
        "title": "Neural Machine Translation by Jointly Learning to Align and Translate",
        "authors": ["Dzmitry Bahdanau", "Kyunghyun Cho", "Yoshua Bengio"],
        "venue": "iclr",
        "year": 2015,
        "published_on": dt.date(2014, 9, 1),
        "arxiv_id": "1409.0473",
        "arxiv_version": 7,
        "doi": "",
        "abstract": (
            "Neural machine translation is a recently proposed approach to machine "
            "translation. Unlike the traditional statistical machine translation, the neural "
            "machine translation aims at building a single neural network that can be jointly "
            "tuned to maximize the translation performance."
        ),
        "keywords": ["attention", "machine translation", "sequence to sequence"],
    },
    {
        "key": "vae",
        "title": "Auto-Encoding Variational Bayes",
        "authors": ["Diederik P. Kingma", "Max Welling"],
        "venue": "iclr",
        "year": 2014,
        "published_on": dt.date(2013, 12, 20),
        "arxiv_id": "1312.6114",
        "arxiv_version": 11,
        "doi": "",
        "abstract": (
            "How can we perform efficient inference and learning in directed probabilistic "
            "models, in the presence of continuous latent variables with intractable "
            "posterior distributions, and large datasets? We introduce a stochastic "
            "variational inference and learning algorithm that scales to large datasets and, "
            "under some mild differentiability conditions, even works in the intractable case."
        ),
        "keywords": [
            "generative models",
            "variational inference",
            "latent variable models",
        ],
    },
    {
        "key": "mixup",
        "title": "mixup: Beyond Empirical Risk Minimization",
        "authors": [
            "Hongyi Zhang",
            "Moustapha Cisse",
            "Yann N. Dauphin",
            "David Lopez-Paz",
        ],
        "venue": "iclr",
        "year": 2018,
        "published_on": dt.date(2017, 10, 25),
        "arxiv_id": "1710.09412",
        "arxiv_version": 2,
        "doi": "",
        "abstract": (
            "Large deep neural networks are powerful, but exhibit undesirable behaviors such "
            "as memorization and sensitivity to adversarial examples. In this work, we "
            "propose mixup, a simple learning principle to alleviate these issues. In "
            "essence, mixup trains a neural network on convex combinations of pairs of "
            "examples and their labels."
        ),
        "keywords": ["data augmentation", "regularization", "generalization"],
    },
    {
        "key": "vit",
        "title": "An Image is Worth 16x16 Words: Transformers for Image Recognition at Scale",
        "authors": [
            "Alexey Dosovitskiy",
            "Lucas Beyer",
            "Alexander Kolesnikov",
            "Dirk Weissenborn",
            "Xiaohua Zhai",
            "Thomas Unterthiner",
            "Mostafa Dehghani",
            "Matthias Minderer",
            "Georg Heigold",
            "Sylvain Gelly",
            "Jakob Uszkoreit",
            "Neil Houlsby",
        ],
        "venue": "iclr",
        "year": 2021,
        "published_on": dt.date(2020, 10, 22),
        "arxiv_id": "2010.11929",
        "arxiv_version": 2,
        "doi": "",
        "abstract": (
            "While the Transformer architecture has become the de-facto standard for natural "
            "language processing tasks, its applications to computer vision remain limited. "
            "In vision, attention is either applied in conjunction with convolutional "
            "networks, or used to replace certain components of convolutional networks while "
            "keeping their overall structure in place. We show that this reliance on CNNs is "
            "not necessary and a pure transformer applied directly to sequences of image "
            "patches can perform very well on image classification tasks."
        ),
        "keywords": ["transformers", "computer vision", "image classification"],
    },
    {
        "key": "gan",
        "title": "Generative Adversarial Networks",
        "authors": [
            "Ian J. Goodfellow",
            "Jean Pouget-Abadie",
            "Mehdi Mirza",
            "Bing Xu",
            "David Warde-Farley",
            "Sherjil Ozair",
            "Aaron Courville",
            "Yoshua Bengio",
        ],
        "venue": "neurips",
        "year": 2014,
        "published_on": dt.date(2014, 6, 10),
        "arxiv_id": "1406.2661",
        "arxiv_version": 1,
        "doi": "",
        "abstract": (
            "We propose a new framework for estimating generative models via an adversarial "
            "process, in which we simultaneously train two models: a generative model G that "
            "captures the data distribution, and a discriminative model D that estimates the "
            "probability that a sample came from the training data rather than G. The "
            "training procedure for G is to maximize the probability of D making a mistake."
        ),
        "keywords": ["generative models", "adversarial training"],
    },
    {
        "key": "seq2seq",
        "title": "Sequence to Sequence Learning with Neural Networks",
        "authors": ["Ilya Sutskever", "Oriol Vinyals", "Quoc V. Le"],
        "venue": "neurips",
        "year": 2014,
        "published_on": dt.date(2014, 9, 10),
        "arxiv_id": "1409.3215",
        "arxiv_version": 3,
        "doi": "",
        "abstract": (
            "Deep Neural Networks (DNNs) are powerful models that have achieved excellent "
            "performance on difficult learning tasks. Although DNNs work well whenever large "
            "labeled training sets are available, they cannot be used to map sequences to "
            "sequences. In this paper, we present a general end-to-end approach to sequence "
            "learning that makes minimal assumptions on the sequence structure."
        ),
        "keywords": [
            "sequence to sequence",
            "machine translation",
            "recurrent networks",
        ],
    },
    {
        "key": "ddpm",
        "title": "Denoising Diffusion Probabilistic Models",
        "authors": ["Jonathan Ho", "Ajay Jain", "Pieter Abbeel"],
        "venue": "neurips",
        "year": 2020,
        "published_on": dt.date(2020, 6, 19),
        "arxiv_id": "2006.11239",
        "arxiv_version": 2,
        "doi": "",
        "abstract": (
            "We present high quality image synthesis results using diffusion probabilistic "
            "models, a class of latent variable models inspired by considerations from "
            "nonequilibrium thermodynamics. Our best results are obtained by training on a "
            "weighted variational bound designed according to a novel connection between "
            "diffusion probabilistic models and denoising score matching with Langevin "
            "dynamics."
        ),
        "keywords": ["diffusion models", "generative models"],
    },
    {
        "key": "batchnorm",
        "title": (
            "Batch Normalization: Accelerating Deep Network Training by Reducing Internal "
            "Covariate Shift"
        ),
        "authors": ["Sergey Ioffe", "Christian Szegedy"],
        "venue": "icml",
        "year": 2015,
        "published_on": dt.date(2015, 2, 11),
        "arxiv_id": "1502.03167",
        "arxiv_version": 3,
        "doi": "",
        "abstract": (
            "Training Deep Neural Networks is complicated by the fact that the distribution "
            "of each layer's inputs changes during training, as the parameters of the "
            "previous layers change. This slows down the training by requiring lower learning "
            "rates and careful parameter initialization, and makes it notoriously hard to "
            "train models with saturating nonlinearities. We refer to this phenomenon as "
            "internal covariate shift, and address the problem by normalizing layer inputs."
        ),
        "keywords": ["normalization", "optimization"],
    },
    {
        "key": "dueling",
        "title": "Dueling Network Architectures for Deep Reinforcement Learning",
        "authors": [
            "Ziyu Wang",
            "Tom Schaul",
            "Matteo Hessel",
            "Hado van Hasselt",
            "Marc Lanctot",
            "Nando de Freitas",
        ],
        "venue": "icml",
        "year": 2016,
        "published_on": dt.date(2015, 11, 20),
        "arxiv_id": "1511.06581",
        "arxiv_version": None,
        "doi": "",
        "abstract": (
            "In recent years there have been many successes of using representations in deep "
            "reinforcement learning. Still, many of these applications use conventional "
            "architectures, such as convolutional networks, LSTMs, or auto-encoders. In this "
            "paper, we present a new neural network architecture for model-free "
            "reinforcement learning."
        ),
        "keywords": ["reinforcement learning", "q-learning"],
    },
    {
        "key": "resnet",
        "title": "Deep Residual Learning for Image Recognition",
        "authors": ["Kaiming He", "Xiangyu Zhang", "Shaoqing Ren", "Jian Sun"],
        "venue": "cvpr",
        "year": 2016,
        "published_on": dt.date(2015, 12, 10),
        "arxiv_id": "1512.03385",
        "arxiv_version": 1,
        "doi": "10.1109/CVPR.2016.90",
        "abstract": (
            "Deeper neural networks are more difficult to train. We present a residual "
            "learning framework to ease the training of networks that are substantially "
            "deeper than those used previously. We explicitly reformulate the layers as "
            "learning residual functions with reference to the layer inputs, instead of "
            "learning unreferenced functions."
        ),
        "keywords": [
            "computer vision",
            "image classification",
            "convolutional networks",
        ],
    },
    {
        "key": "bert",
        "title": (
            "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding"
        ),
        "authors": [
            "Jacob Devlin",
            "Ming-Wei Chang",
            "Kenton Lee",
            "Kristina Toutanova",
        ],
        "venue": "naacl",
        "year": 2019,
        "published_on": dt.date(2018, 10, 11),
        "arxiv_id": "1810.04805",
        "arxiv_version": 2,
        "doi": "10.18653/v1/N19-1423",
        "abstract": (
            "We introduce a new language representation model called BERT, which stands for "
            "Bidirectional Encoder Representations from Transformers. Unlike recent language "
            "representation models, BERT is designed to pre-train deep bidirectional "
            "representations from unlabeled text by jointly conditioning on both left and "
            "right context in all layers."
        ),
        "keywords": ["transformers", "language models", "pre-training"],
    },
    {
        "key": "dropout",
        "title": "Dropout: A Simple Way to Prevent Neural Networks from Overfitting",
        "authors": [
            "Nitish Srivastava",
            "Geoffrey Hinton",
            "Alex Krizhevsky",
            "Ilya Sutskever",
            "Ruslan Salakhutdinov",
        ],
        "venue": "jmlr",
        "year": 2014,
        "published_on": None,
        "arxiv_id": "",
        "arxiv_version": None,
        "doi": "",
        "journal_ref": "Journal of Machine Learning Research 15(56):1929-1958, 2014",
        "url": "https://jmlr.org/papers/v15/srivastava14a.html",
        "pdf_url": "https://jmlr.org/papers/volume15/srivastava14a/srivastava14a.pdf",
        "abstract": (
            "Deep neural nets with a large number of parameters are very powerful machine "
            "learning systems. However, overfitting is a serious problem in such networks. "
            "Large networks are also slow to use, making it difficult to deal with "
            "overfitting by combining the predictions of many different large neural nets at "
            "test time. Dropout is a technique for addressing this problem."
        ),
        "keywords": ["regularization", "deep learning"],
    },
    {
        "key": "dqn",
        "title": "Human-level control through deep reinforcement learning",
        "authors": [
            "Volodymyr Mnih",
            "Koray Kavukcuoglu",
            "David Silver",
            "Andrei A. Rusu",
            "Joel Veness",
            "Marc G. Bellemare",
            "Alex Graves",
            "Martin Riedmiller",
            "Andreas K. Fidjeland",
            "Georg Ostrovski",
            "Stig Petersen",
            "Charles Beattie",
            "Amir Sadik",
            "Ioannis Antonoglou",
            "Helen King",
            "Dharshan Kumaran",
            "Daan Wierstra",
            "Shane Legg",
            "Demis Hassabis",
        ],
        "venue": "nature",
        "year": 2015,
        "published_on": dt.date(2015, 2, 25),
        "arxiv_id": "",
        "arxiv_version": None,
        "doi": "10.1038/nature14236",
        "journal_ref": "Nature 518, 529-533 (2015)",
        "abstract": (
            "The theory of reinforcement learning provides a normative account, deeply rooted "
            "in psychological and neuroscientific perspectives on animal behaviour, of how "
            "agents may optimize their control of an environment. To use reinforcement "
            "learning successfully in situations approaching real-world complexity, however, "
            "agents are confronted with a difficult task: they must derive efficient "
            "representations of the environment from high-dimensional sensory inputs, and "
            "use these to generalize past experience to new situations."
        ),
        "keywords": ["reinforcement learning", "q-learning", "atari"],
    },
    {
        "key": "deep-learning",
        "title": "Deep learning",
        "authors": ["Yann LeCun", "Yoshua Bengio", "Geoffrey Hinton"],
        "venue": "nature",
        "year": 2015,
        "published_on": dt.date(2015, 5, 27),
        "arxiv_id": "",
        "arxiv_version": None,
        "doi": "10.1038/nature14539",
        "journal_ref": "Nature 521, 436-444 (2015)",
        "abstract": (
            "Deep learning allows computational models that are composed of multiple "
            "processing layers to learn representations of data with multiple levels of "
            "abstraction. These methods have dramatically improved the state-of-the-art in "
            "speech recognition, visual object recognition, object detection and many other "
            "domains such as drug discovery and genomics."
        ),
        "keywords": ["deep learning", "review"],
    },
    {
        "key": "layernorm",
        "title": "Layer Normalization",
        "authors": ["Jimmy Ba", "Jamie Ryan Kiros", "Geoffrey Hinton"],
        "venue": "arxiv",
        "year": 2016,
        "published_on": dt.date(2016, 7, 21),
        "arxiv_id": "1607.06450",
        "arxiv_version": 1,
        "doi": "",
        "abstract": (
            "Training state-of-the-art, deep neural networks is computationally expensive. "
            "One way to reduce the training time is to normalize the activities of the "
            "neurons. A recently introduced technique called batch normalization uses the "
            "distribution of the summed input to a neuron over a mini-batch of training cases "
            "to compute a mean and variance which are then used to normalize the summed input "
            "to that neuron on each training case."
        ),
        "keywords": ["normalization", "recurrent networks"],
    },
    {
        "key": "distillation",
        "title": "Distilling the Knowledge in a Neural Network",
        "authors": ["Geoffrey Hinton", "Oriol Vinyals", "Jeff Dean"],
        "venue": "arxiv",
        "year": 2015,
        "published_on": dt.date(2015, 3, 9),
        "arxiv_id": "1503.02531",
        "arxiv_version": 1,
        "doi": "",
        "abstract": (
            "A very simple way to improve the performance of almost any machine learning "
            "algorithm is to train many different models on the same data and then to "
            "average their predictions. Unfortunately, making predictions using a whole "
            "ensemble of models is cumbersome and may be too computationally expensive to "
            "allow deployment to a large number of users, especially if the individual models "
            "are large neural nets."
        ),
        "keywords": ["knowledge distillation", "model compression"],
    },
    {
        "key": "atari",
        "title": "Playing Atari with Deep Reinforcement Learning",
        "authors": [
            "Volodymyr Mnih",
            "Koray Kavukcuoglu",
            "David Silver",
            "Alex Graves",
            "Ioannis Antonoglou",
            "Daan Wierstra",
            "Martin Riedmiller",
        ],
        "venue": "arxiv",
        "year": 2013,
        "published_on": dt.date(2013, 12, 19),
        "arxiv_id": "1312.5602",
        "arxiv_version": 1,
        "doi": "",
        "abstract": (
            "We present the first deep learning model to successfully learn control policies "
            "directly from high-dimensional sensory input using reinforcement learning. The "
            "model is a convolutional neural network, trained with a variant of Q-learning, "
            "whose input is raw pixels and whose output is a value function estimating future "
            "rewards."
        ),
        "keywords": ["reinforcement learning", "q-learning", "atari"],
    },
]

# Fictitious researchers. The ORCID iDs are well formed (valid ISO 7064 checksum);
# 0000-0002-1825-0097 is ORCID's own documentation example.
USERS = [
    {
        "username": "mkovacs",
        "display_name": "Mira Kovács",
        "affiliation": "Department of Computer Science, Northfield University",
        "bio": (
            "Works on optimisation for deep learning: adaptive methods, normalisation, and "
            "why some training recipes generalise better than others."
        ),
        "orcid": "0000-0002-1825-0097",
    },
    {
        "username": "tokafor",
        "display_name": "Tobi Okafor",
        "affiliation": "Lakeside Institute of Technology",
        "bio": (
            "Natural language processing: pre-training, evaluation of language models, "
            "and machine translation for low-resource languages."
        ),
        "orcid": "0000-0003-1415-9269",
    },
    {
        "username": "lchen",
        "display_name": "Lin Chen",
        "affiliation": "Harbor Street AI Lab",
        "bio": (
            "Computer vision and generative models. Reimplements papers from scratch to find "
            "out which details matter."
        ),
        "orcid": "0000-0002-7182-8185",
    },
    {
        "username": "hlindqvist",
        "display_name": "Hanna Lindqvist",
        "affiliation": "Nordic Centre for Statistical Learning",
        "bio": (
            "Learning theory: generalisation in overparameterised models, implicit bias of "
            "optimisers, and variational inference."
        ),
        "orcid": "0000-0001-6180-3390",
    },
    {
        "username": "rsilva",
        "display_name": "Rafael Silva",
        "affiliation": "Robotics Group, Coastal University",
        "bio": "Deep reinforcement learning for control and games; sample efficiency.",
        "orcid": "0000-0003-1622-7763",
    },
]

# Summaries are Markdown + LaTeX. Raw strings keep TeX backslashes as typed.
SUMMARIES = [
    {
        "paper": "attention",
        "writer": "tokafor",
        "body": r"""The Transformer replaces recurrence and convolution in an encoder-decoder model with attention alone. Every position in a sequence looks at every other position in one step, so a layer is computed in parallel over the whole sequence, and the path between any two tokens has constant length instead of growing with their distance.

The building block is **scaled dot-product attention**. Queries $Q$, keys $K$ and values $V$ are matrices with one row per position, and

$$\mathrm{Attention}(Q, K, V) = \mathrm{softmax}\left( \frac{QK^\top}{\sqrt{d_k}} \right) V$$

The division by $\sqrt{d_k}$ matters: if the entries of a query and a key are independent with mean $0$ and variance $1$, their dot product has variance $d_k$, and large logits push the softmax into regions where its gradient is tiny.

![Scaled dot-product attention](/static/img/demo/attention.svg)

**Multi-head attention** runs $h = 8$ of these in parallel on learned projections of size $d_k = d_v = d_{\text{model}} / h = 64$ and concatenates the results, so that different heads can attend to different kinds of relation.

Attention appears in three places:

1. encoder self-attention, where each source position attends to all source positions;
2. masked decoder self-attention, where position $i$ may only attend to positions $j \le i$, which keeps generation autoregressive;
3. encoder-decoder attention, where the decoder's queries attend to the encoder's output.

Since attention ignores order, the model adds sinusoidal **positional encodings** to the input embeddings:

$$PE_{(pos,\,2i)} = \sin\left( pos / 10000^{2i/d_{\text{model}}} \right), \qquad PE_{(pos,\,2i+1)} = \cos\left( pos / 10000^{2i/d_{\text{model}}} \right)$$

Encoder and decoder are stacks of $N = 6$ identical layers. The big model reached 28.4 BLEU on WMT 2014 English-to-German and 41.8 on English-to-French, the latter after 3.5 days of training on eight P100 GPUs, a fraction of the training cost of the previous best models.

The price is that self-attention costs $O(n^2 \cdot d)$ per layer for a sequence of length $n$, against $O(n \cdot d^2)$ for a recurrent layer, but with $O(1)$ sequential operations instead of $O(n)$. For sentence-length inputs, where $n < d$, that is a good trade.

For a line-by-line implementation, see [The Annotated Transformer](https://nlp.seas.harvard.edu/annotated-transformer/).
""",
    },
    {
        "paper": "attention",
        "writer": "lchen",
        "body": r"""The paper is short on code but precise about the recipe, and the recipe is what makes the model train. These are the parts I had to get right when reimplementing it.

**The attention itself** is a few lines. The mask is how the decoder is kept from looking at future tokens: masked logits become $-\infty$, so they get zero weight after the softmax.

```python
import math

import torch


def scaled_dot_product_attention(q, k, v, mask=None):
    # q, k: (batch, heads, length, d_k); v: (batch, heads, length, d_v)
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.size(-1))
    if mask is not None:
        scores = scores.masked_fill(mask == 0, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    return weights @ v, weights
```

Recent PyTorch versions ship a fused version as `torch.nn.functional.scaled_dot_product_attention`.

**Each sub-layer** is wrapped in a residual connection followed by layer normalisation, $\mathrm{LayerNorm}(x + \mathrm{Sublayer}(x))$, with dropout $P_{drop} = 0.1$ applied to the sub-layer's output before the addition. The feed-forward sub-layer is two linear maps with a ReLU between them, $\mathrm{FFN}(x) = \max(0, x W_1 + b_1) W_2 + b_2$, with inner size $d_{ff} = 2048$ for $d_{\text{model}} = 512$.

**The optimiser** is Adam with $\beta_1 = 0.9$, $\beta_2 = 0.98$ and $\epsilon = 10^{-9}$, and a learning rate that rises linearly during a warm-up and then decays with the inverse square root of the step number:

$$\mathit{lrate} = d_{\text{model}}^{-0.5} \cdot \min\left( \mathit{step}^{-0.5},\; \mathit{step} \cdot \mathit{warmup}^{-1.5} \right), \qquad \mathit{warmup} = 4000$$

Later work found that the warm-up is what keeps this post-norm arrangement stable early in training.

**Regularisation.** Besides dropout, the targets use label smoothing with $\epsilon_{ls} = 0.1$. The authors note that this hurts perplexity, since the model learns to be more unsure, but improves accuracy and BLEU.

What I would tell anyone reproducing the base model:

- share one weight matrix between the two embedding layers and the pre-softmax projection, and multiply the embeddings by $\sqrt{d_{\text{model}}}$;
- apply dropout to the sums of embeddings and positional encodings too;
- average the last 5 checkpoints, and decode with beam size 4 and length penalty $\alpha = 0.6$.

The base model trains in about 12 hours on eight P100 GPUs (100,000 steps), which makes it a good first reimplementation project.
""",
    },
    {
        "paper": "attention",
        "writer": "hlindqvist",
        "body": r"""A reading of the paper from the side of what the architecture assumes, rather than what it scores.

Self-attention is a soft lookup table. For one query $q$ and keys $k_1, \dots, k_n$ with values $v_1, \dots, v_n$, the output is

$$\sum_{j=1}^{n} \frac{\exp\left( q^\top k_j / \sqrt{d_k} \right)}{\sum_{l=1}^{n} \exp\left( q^\top k_l / \sqrt{d_k} \right)} \, v_j,$$

a convex combination of the values whose weights depend on the input. Three consequences are worth keeping in mind:

- **No order.** Without positional information the layer is permutation-equivariant: shuffle the inputs and the outputs are shuffled the same way. Word order enters only through the positional encodings added at the bottom. The authors also tried learned positional embeddings and found nearly identical results; they kept sinusoids in the hope that the model would extrapolate to sequences longer than those seen in training.
- **Short paths.** Any two positions are connected by a path of length $O(1)$, against $O(n)$ for a recurrent network and $O(\log_k n)$ for dilated convolutions with kernel width $k$. The paper argues, rather than proves, that short paths make long-range dependencies easier to learn.
- **Quadratic cost.** The $n \times n$ matrix of weights makes time and memory grow as $O(n^2)$ in the sequence length, which is why so much later work is about cheaper approximations.

The paper also shows the model is not specific to translation: a 4-layer Transformer reaches 91.3 F1 on English constituency parsing (WSJ section 23) when trained on the WSJ alone, and 92.7 F1 in a semi-supervised setting, with little task-specific tuning.

What it does not give is an account of why attention heads learn what they learn. The attention visualisations in the appendix are suggestive, but attention weights are not explanations by themselves.
""",
    },
    {
        "paper": "rethinking-generalization",
        "writer": "hlindqvist",
        "body": r"""Classical learning theory explains generalisation through the capacity of the hypothesis class: a model that can fit anything should not be expected to generalise. This paper shows, with a very simple experiment, that the deep networks we use in practice can fit anything, and still generalise.

**The randomisation test.** Take CIFAR-10 or ImageNet and replace the labels with random ones. Standard architectures (Inception, AlexNet, multi-layer perceptrons) trained without changing the learning-rate schedule still reach zero training error. Training takes longer, but only by a small constant factor. The same holds when the images themselves are replaced: shuffled pixels, or pure Gaussian noise. Test error is, of course, at chance.

This defeats any complexity measure that depends only on the model class and the data distribution. The empirical Rademacher complexity of a class \(\mathcal{H}\) on a sample \(x_1, \dots, x_n\),

\[ \hat{\mathfrak{R}}_n(\mathcal{H}) = \mathbb{E}_{\sigma}\left[ \sup_{h \in \mathcal{H}} \frac{1}{n} \sum_{i=1}^{n} \sigma_i \, h(x_i) \right], \qquad \sigma_i \in \{-1, +1\} \text{ uniformly}, \]

is the best correlation the class achieves with random signs. A class that fits random labels has \(\hat{\mathfrak{R}}_n(\mathcal{H}) \approx 1\), and the bound it gives is vacuous.

**Regularisation is not the answer either.** Weight decay, dropout and data augmentation improve test error somewhat, but the networks generalise reasonably well with all of them turned off, and still fit random labels with them turned on. Explicit regularisation may improve generalisation, but it is neither necessary nor by itself sufficient.

**Finite-sample expressivity.** The authors prove that a two-layer ReLU network with \(2n + d\) weights can represent any labelling of any \(n\) points in \(d\) dimensions.

**A hint from linear models.** For least squares with more parameters than examples, SGD started at zero stays in the span of the data, so its solution has the form \(w = X^\top \alpha\); among all interpolating solutions it is the one of minimum \(\ell_2\) norm. This implicit bias gives good kernel solutions on MNIST and CIFAR-10 without any regularisation, but the authors also find that the norm is not predictive of generalisation, so it cannot be the whole story.

The paper's value is the question it leaves open: what property of the *trained* network, reached by SGD on *real* data, explains the small gap between training and test error?
""",
    },
    {
        "paper": "adam",
        "writer": "mkovacs",
        "body": r"""Adam keeps two exponential moving averages per parameter, one of the gradient and one of its elementwise square, and uses them to give every parameter its own step size. It is cheap: two extra buffers the size of the model.

With gradient $g_t$ at step $t$, step size $\alpha$ and decay rates $\beta_1, \beta_2 \in [0, 1)$:

$$
\begin{aligned}
m_t &= \beta_1 m_{t-1} + (1-\beta_1) g_t \\
v_t &= \beta_2 v_{t-1} + (1-\beta_2) g_t^2 \\
\hat{m}_t &= m_t / (1-\beta_1^t) \\
\hat{v}_t &= v_t / (1-\beta_2^t) \\
\theta_t &= \theta_{t-1} - \alpha \, \hat{m}_t / \left( \sqrt{\hat{v}_t} + \epsilon \right)
\end{aligned}
$$

The suggested defaults, $\alpha = 0.001$, $\beta_1 = 0.9$, $\beta_2 = 0.999$ and $\epsilon = 10^{-8}$, are still what most libraries use.

**Why the bias correction.** Both averages start at zero, so early on they are biased towards zero. If the second moment of the gradient is stationary, $\mathbb{E}[v_t] = \mathbb{E}[g_t^2] \, (1 - \beta_2^t)$, and dividing by $1 - \beta_2^t$ removes the bias. With $\beta_2$ close to 1 this matters for thousands of steps.

**Why it behaves well.** The update $\hat{m}_t / \sqrt{\hat{v}_t}$ is invariant to rescaling the gradient, and its magnitude is roughly bounded by $\alpha$, so $\alpha$ acts as a trust region in parameter space. The ratio also works like a signal-to-noise ratio: when gradients disagree from step to step, $|\hat{m}_t|$ is small compared with $\sqrt{\hat{v}_t}$, and the steps shrink.

The paper also:

1. relates Adam to AdaGrad ($\beta_1 = 0$, $\beta_2 \to 1$ and a decaying step size) and to RMSProp, which has no bias correction;
2. proposes AdaMax, which replaces $v_t$ by an $\ell_\infty$ norm, $u_t = \max(\beta_2 u_{t-1}, |g_t|)$;
3. gives a regret bound for online convex optimisation.

Two later caveats. The convergence proof has a flaw, and Reddi et al. (ICLR 2018) built a simple convex problem on which Adam does not converge. And an L2 penalty added to the loss is not the same as weight decay under Adam, which is the point of [AdamW](https://arxiv.org/abs/1711.05101).
""",
    },
    {
        "paper": "batchnorm",
        "writer": "mkovacs",
        "body": r"""Batch normalisation normalises each activation of a layer over the current mini-batch, then lets the network undo the normalisation if that helps.

Whitening a layer's inputs fully would be expensive, so the paper normalises each dimension $k$ on its own:

$$\hat{x}^{(k)} = \frac{x^{(k)} - \mathbb{E}\left[ x^{(k)} \right]}{\sqrt{\mathrm{Var}\left[ x^{(k)} \right]}}$$

and follows it with a learned scale and shift, $y^{(k)} = \gamma^{(k)} \hat{x}^{(k)} + \beta^{(k)}$, so that the layer can still represent the identity (with $\gamma^{(k)} = \sqrt{\mathrm{Var}[x^{(k)}]}$ and $\beta^{(k)} = \mathbb{E}[x^{(k)}]$).

In training, the expectations are replaced by statistics of the mini-batch $\mathcal{B} = \{x_1, \dots, x_m\}$:

$$\mu_{\mathcal{B}} = \frac{1}{m} \sum_{i=1}^{m} x_i, \qquad \sigma_{\mathcal{B}}^2 = \frac{1}{m} \sum_{i=1}^{m} \left( x_i - \mu_{\mathcal{B}} \right)^2, \qquad \hat{x}_i = \frac{x_i - \mu_{\mathcal{B}}}{\sqrt{\sigma_{\mathcal{B}}^2 + \epsilon}}$$

Gradients flow through $\mu_{\mathcal{B}}$ and $\sigma_{\mathcal{B}}^2$ too, which stops gradient descent from undoing the normalisation by shifting biases. At inference the batch statistics are replaced by population estimates (in practice, moving averages), so that the output depends only on the input.

For convolutional layers the statistics are shared over the batch and over all spatial positions of a feature map, with one $\gamma$ and one $\beta$ per channel.

What it bought, on an Inception network for ImageNet classification:

- the same accuracy in 14 times fewer training steps;
- much higher learning rates without divergence;
- dropout could be removed, and the L2 weight penalty reduced;
- an ensemble reached 4.9% top-5 validation error, exceeding the accuracy of human raters.

The paper's explanation is that it reduces *internal covariate shift*, the change in the distribution of a layer's inputs as earlier layers train. Later work, notably Santurkar et al. (NeurIPS 2018), questioned that explanation and argued that the benefit comes from a smoother optimisation landscape. The method's usefulness is not in doubt; the reason for it is still debated.
""",
    },
    {
        "paper": "mixup",
        "writer": "mkovacs",
        "body": r"""mixup is a data augmentation that fits in three lines: train on convex combinations of pairs of examples *and* of their labels.

Given two examples $(x_i, y_i)$ and $(x_j, y_j)$ drawn at random from the training set, with one-hot labels,

$$\tilde{x} = \lambda x_i + (1 - \lambda) x_j, \qquad \tilde{y} = \lambda y_i + (1 - \lambda) y_j, \qquad \lambda \sim \mathrm{Beta}(\alpha, \alpha),$$

and the network is trained on $(\tilde{x}, \tilde{y})$ as usual. The hyper-parameter $\alpha > 0$ sets the strength of the interpolation; as $\alpha \to 0$ the samples collapse onto the original examples and plain empirical risk minimisation (ERM) is recovered.

The framing is *vicinal risk minimisation*: instead of minimising the loss on the training points alone, minimise it over a distribution of virtual examples in their vicinity. Classic data augmentation defines the vicinity by hand and within one class; mixup defines it by linear interpolation across classes. The prior it encodes is that the model should behave linearly between training examples, which discourages sharp transitions and over-confident predictions away from the data.

Reported effects:

- better accuracy than ERM on ImageNet, CIFAR-10 and CIFAR-100 across several architectures, on speech commands, and on UCI tabular datasets;
- much less memorisation of corrupted labels;
- more robustness to adversarial examples;
- more stable GAN training, when the discriminator is trained on mixed real and fake inputs.

In practice the paper mixes each mini-batch with a shuffled copy of itself, so a single data loader is enough. Two things to know before trying it: mixing the labels matters (the ablations show that interpolating inputs alone is clearly weaker), and the gains grow with longer training, since each virtual example is harder to fit.
""",
    },
    {
        "paper": "resnet",
        "writer": "lchen",
        "body": r"""Deeper plain networks should be at least as good as shallow ones: the extra layers could simply learn the identity. In practice they are not. On CIFAR-10 and ImageNet, a 56-layer plain network has *higher training error* than a 20-layer one. This is not overfitting but an optimisation problem, which the authors call *degradation*.

The fix is to change what the layers are asked to learn. If the desired mapping is $\mathcal{H}(x)$, let a few stacked layers learn the residual $\mathcal{F}(x) = \mathcal{H}(x) - x$, and add the input back through a shortcut:

$$y = \mathcal{F}(x, \{W_i\}) + x$$

If the identity is close to optimal, pushing $\mathcal{F}$ towards zero is easier than fitting an identity with a stack of nonlinear layers. The identity shortcut adds no parameters and almost no computation. Where the number of channels changes, a projection $W_s x$ (a $1 \times 1$ convolution) matches the dimensions.

The architecture of the deeper ImageNet models:

1. a $7 \times 7$ convolution and a max-pooling stem;
2. four stages of *bottleneck* blocks, each a $1 \times 1$ convolution that reduces the channels, a $3 \times 3$ convolution, and a $1 \times 1$ convolution that restores them;
3. downsampling by stride-2 convolutions at the start of each stage after the first, doubling the number of filters;
4. global average pooling and one fully connected layer.

Results:

- ResNet-152 needs 11.3 billion FLOPs, fewer than VGG-16's 15.3 billion, while being eight times deeper;
- an ensemble reached 3.57% top-5 error on the ImageNet test set and won the ILSVRC 2015 classification task, and the same networks won ImageNet detection and localisation and COCO detection and segmentation;
- on CIFAR-10, a 110-layer network reached 6.43% error; a 1202-layer one still trained, to 7.93%, which the authors attribute to overfitting.

The lasting idea is that a layer should make a small correction to its input rather than build a new representation from scratch, an idea the Transformer adopted unchanged.
""",
    },
    {
        "paper": "gan",
        "writer": "lchen",
        "body": r"""A generative model trained without ever writing down a likelihood. Two networks play a game: a generator $G$ maps noise $z \sim p_z$ to samples, and a discriminator $D$ outputs the probability that its input came from the data rather than from $G$. $D$ is trained to tell them apart, $G$ to fool it:

$$\min_G \max_D V(D, G) = \mathbb{E}_{x \sim p_{\text{data}}}\left[ \log D(x) \right] + \mathbb{E}_{z \sim p_z}\left[ \log\left( 1 - D(G(z)) \right) \right]$$

**The theory.** For a fixed $G$ the best discriminator is

$$D^*_G(x) = \frac{p_{\text{data}}(x)}{p_{\text{data}}(x) + p_g(x)},$$

and substituting it back gives $C(G) = -\log 4 + 2 \cdot \mathrm{JSD}\left( p_{\text{data}} \,\|\, p_g \right)$. The Jensen-Shannon divergence is zero only when the two distributions are equal, so the global optimum is $p_g = p_{\text{data}}$, where $D = 1/2$ everywhere. If $G$ and $D$ have enough capacity, $D$ reaches its optimum at each step and $p_g$ is updated to improve the criterion, then $p_g$ converges to $p_{\text{data}}$.

**The practice.** Training alternates $k$ steps on $D$ with one step on $G$; the experiments use $k = 1$. Early in training $D$ rejects samples easily, $\log(1 - D(G(z)))$ saturates and $G$ gets almost no gradient, so the paper trains $G$ to maximise $\log D(G(z))$ instead. This has the same fixed point but gives much stronger gradients early on.

Experiments on MNIST, the Toronto Face Database and CIFAR-10 show samples that are random draws, not cherry-picked, and log-likelihood estimates from Parzen windows, a method the authors themselves describe as having high variance.

The paper is candid about the limits:

- there is no explicit representation of $p_g(x)$;
- $D$ must be kept in step with $G$: if $G$ is trained too much without updating $D$, it maps many values of $z$ to the same output (the "Helvetica scenario", now called mode collapse).

Much of what came next, from DCGAN to Wasserstein GANs, is about making this game stable.
""",
    },
    {
        "paper": "ddpm",
        "writer": "lchen",
        "body": r"""Diffusion models define a fixed process that slowly destroys data with noise, and learn to reverse it. This paper made them produce samples of a quality that only GANs had reached before, and found a remarkably simple training objective along the way.

**Forward process.** Over $T = 1000$ steps, Gaussian noise is added with a variance schedule $\beta_1, \dots, \beta_T$ (linear from $10^{-4}$ to $0.02$):

$$q(x_t \mid x_{t-1}) = \mathcal{N}\left( x_t; \sqrt{1 - \beta_t}\, x_{t-1}, \beta_t I \right)$$

With $\alpha_t = 1 - \beta_t$ and $\bar{\alpha}_t = \prod_{s=1}^{t} \alpha_s$, any step can be sampled directly from the data: $x_t = \sqrt{\bar{\alpha}_t}\, x_0 + \sqrt{1 - \bar{\alpha}_t}\, \epsilon$ with $\epsilon \sim \mathcal{N}(0, I)$.

**Reverse process.** A network $\epsilon_\theta(x_t, t)$ is trained to predict the noise that was added. The variational bound on the likelihood reduces, once its weighting is dropped, to a plain regression:

$$L_{\text{simple}}(\theta) = \mathbb{E}_{t, x_0, \epsilon}\left[ \left\| \epsilon - \epsilon_\theta\left( \sqrt{\bar{\alpha}_t}\, x_0 + \sqrt{1 - \bar{\alpha}_t}\, \epsilon,\; t \right) \right\|^2 \right]$$

Predicting $\epsilon$ rather than the mean of $x_{t-1}$ is what connects the model to denoising score matching: up to scale, the network estimates the gradient of the log-density of the noised data.

**Sampling** runs the chain backwards:

1. draw $x_T \sim \mathcal{N}(0, I)$;
2. for $t = T, \dots, 1$, set $x_{t-1} = \frac{1}{\sqrt{\alpha_t}} \left( x_t - \frac{\beta_t}{\sqrt{1 - \bar{\alpha}_t}}\, \epsilon_\theta(x_t, t) \right) + \sigma_t z$ with $z \sim \mathcal{N}(0, I)$, and $z = 0$ at the last step;
3. return $x_0$.

The network is a U-Net with group normalisation and self-attention at the $16 \times 16$ resolution, with $t$ fed in through a sinusoidal embedding. On unconditional CIFAR-10 it reached an Inception score of 9.46 and an FID of 3.17. Its log-likelihoods are worse than those of other likelihood-based models; the authors show that most of the bits go into imperceptible detail, and read the sampler as a progressive lossy decompressor.

The cost is 1000 network evaluations per sample, which much of the follow-up work set out to cut.
""",
    },
    {
        "paper": "vae",
        "writer": "hlindqvist",
        "body": r"""The setting: a directed model $p_\theta(x, z) = p_\theta(z)\, p_\theta(x \mid z)$ with a continuous latent $z$, where the posterior $p_\theta(z \mid x)$ is intractable and the dataset too large for sampling loops per data point. The paper's answer has two parts that are now standard.

**1. An amortised variational bound.** Introduce a recognition model (the encoder) $q_\phi(z \mid x)$. For every data point,

$$\log p_\theta(x) \geq \mathcal{L}(\theta, \phi; x) = -D_{KL}\left( q_\phi(z \mid x) \,\|\, p_\theta(z) \right) + \mathbb{E}_{q_\phi(z \mid x)}\left[ \log p_\theta(x \mid z) \right]$$

The first term keeps the code close to the prior; the second is a reconstruction term. Encoder and decoder are trained together by maximising $\mathcal{L}$.

**2. The reparameterisation trick.** The expectation is taken under a distribution that depends on $\phi$, so its gradient cannot be estimated by naive sampling without high variance. Write the sample as a deterministic function of $\phi$ and independent noise instead:

$$z = \mu_\phi(x) + \sigma_\phi(x) \odot \epsilon, \qquad \epsilon \sim \mathcal{N}(0, I)$$

Now the expectation is over $\epsilon$, which does not depend on $\phi$, and a Monte Carlo estimate of $\mathcal{L}$ can be differentiated by ordinary backpropagation. This is the SGVB estimator, with far lower variance than the score-function estimator.

With a standard normal prior and a Gaussian encoder, the KL term has a closed form,

$$-D_{KL} = \frac{1}{2} \sum_{j=1}^{J} \left( 1 + \log \sigma_j^2 - \mu_j^2 - \sigma_j^2 \right),$$

so only the reconstruction term needs sampling, and one sample per data point ($L = 1$) is enough with mini-batches of $M = 100$.

With neural networks for encoder and decoder, the paper calls the result a *variational auto-encoder*. Experiments on MNIST and Frey Face show faster convergence and better bounds than the wake-sleep algorithm, and it scales to datasets where Monte Carlo EM does not.

Later work documented the weak points: blurry samples with Gaussian decoders, and *posterior collapse* when a powerful decoder learns to ignore $z$.
""",
    },
    {
        "paper": "dqn",
        "writer": "rsilva",
        "body": r"""The first agent to learn to play many different Atari 2600 games at a human level from the same inputs a person gets: the screen pixels and the score. One architecture and one set of hyper-parameters were used for all 49 games.

The agent learns an action-value function with Q-learning, using a deep convolutional network $Q(s, a; \theta)$ as the function approximator. Such nonlinear approximators were known to make Q-learning unstable, and the contribution is two changes that make it work:

1. **Experience replay.** Transitions $(s, a, r, s')$ go into a memory of the last million frames, and updates use mini-batches sampled uniformly from it. This breaks the correlation between consecutive samples and reuses each experience many times.
2. **A target network.** The bootstrap target is computed with an older copy of the weights, $\theta^-$, refreshed every $C$ updates, so the target does not move with every step.

Together they give the loss at iteration $i$:

$$L_i(\theta_i) = \mathbb{E}_{(s, a, r, s') \sim U(D)}\left[ \left( r + \gamma \max_{a'} Q(s', a'; \theta_i^-) - Q(s, a; \theta_i) \right)^2 \right]$$

Other details that mattered:

- the input is the last 4 frames, converted to $84 \times 84$ luminance images and stacked;
- the network is three convolutional layers and a fully connected layer of 512 units, with one output per action, so all action values come from one forward pass;
- rewards are clipped to $[-1, 1]$, which lets one learning rate work across games with very different score scales;
- exploration is $\epsilon$-greedy, with $\epsilon$ annealed from 1 to 0.1 over the first million frames.

DQN beat the best earlier reinforcement learning methods on 43 of the 49 games and reached more than 75% of a professional human tester's score on 29 of them. Its failures are as instructive as its successes: games that need long-term planning and exploration, such as Montezuma's Revenge, stayed at a score of zero.

The earlier workshop paper, *Playing Atari with Deep Reinforcement Learning* (2013), had the same idea on seven games, without the target network.
""",
    },
    {
        "paper": "bert",
        "writer": "tokafor",
        "body": r"""BERT pre-trains a Transformer encoder on unlabelled text so that every layer sees both the left and the right context of each word, then fine-tunes the whole model, with one extra output layer, on each downstream task.

Earlier pre-trained language models were either left-to-right (OpenAI GPT) or a shallow concatenation of two one-directional models (ELMo). A standard language model cannot simply be made bidirectional, because each word would then see itself. BERT's way out is a different pre-training task.

**Masked language modelling.** Choose 15% of the token positions at random and predict the original tokens there. Of the chosen positions,

- 80% are replaced by a `[MASK]` token,
- 10% by a random token,
- 10% are left unchanged.

The mix exists because `[MASK]` never appears during fine-tuning; always masking would create a mismatch between pre-training and fine-tuning.

**Next sentence prediction.** Given two segments $A$ and $B$, predict whether $B$ really followed $A$ (true 50% of the time) or is a random sentence from the corpus. The pre-training loss is the sum of the two, $\mathcal{L} = \mathcal{L}_{\text{MLM}} + \mathcal{L}_{\text{NSP}}$.

**Sizes.** With $L$ layers, hidden size $H$ and $A$ attention heads:

$$\text{BERT}_{\text{BASE}}: L = 12,\ H = 768,\ A = 12\ (110\text{M parameters}), \qquad \text{BERT}_{\text{LARGE}}: L = 24,\ H = 1024,\ A = 16\ (340\text{M})$$

Pre-training used BooksCorpus (800M words) and English Wikipedia (2,500M words).

**Results.** A new state of the art on eleven tasks, including a GLUE score of 80.5 (7.7 points absolute over the previous best), 86.7% accuracy on MultiNLI, and test F1 of 93.2 on SQuAD v1.1 and 83.1 on SQuAD v2.0.

The ablations are worth reading. Removing next sentence prediction hurt on some tasks in this paper, but later work (RoBERTa) found that with more data and longer training it can be dropped. The masked objective is what stayed.
""",
    },
    {
        "paper": "dropout",
        "writer": "tokafor",
        "is_anonymous": True,
        "body": r"""Dropout trains a network while randomly removing units, together with their connections, and uses the full network at test time with its weights scaled down. It is a cheap way to train, and average, an exponential number of networks.

**Training.** For a layer $l$ with outputs $y^{(l)}$, each unit is kept with probability $p$:

$$r_j^{(l)} \sim \mathrm{Bernoulli}(p), \qquad \tilde{y}^{(l)} = r^{(l)} \ast y^{(l)}, \qquad z_i^{(l+1)} = w_i^{(l+1)} \tilde{y}^{(l)} + b_i^{(l+1)}$$

A network with $n$ units can be thinned in $2^n$ ways; each mini-batch trains a different thinned network, and they all share weights.

**Testing.** Averaging $2^n$ networks is out of the question, so the paper uses one unthinned network with weights $W^{(l)}_{\text{test}} = p\, W^{(l)}$, which makes a unit's expected output during training equal to its output at test time. This is an approximation of the ensemble average; the paper checks it against Monte Carlo averaging of sampled networks and finds the two close.

**Why it helps.** A unit cannot rely on particular other units being present, which prevents complex *co-adaptations* that fit the training set but do not generalise. As a side effect, the learned features are sparser and individually more meaningful.

The paper's practical recipe:

1. $p = 0.5$ for hidden units and $p = 0.8$ for inputs are good defaults;
2. make the network bigger, roughly $n / p$ units where $n$ would do without dropout, since dropout reduces effective capacity;
3. use high learning rates and high momentum (0.95 to 0.99);
4. combine it with a max-norm constraint $\|w\|_2 \le c$ on each unit's incoming weights, with $c$ typically between 3 and 4.

Dropout improved results in vision (MNIST, SVHN, CIFAR, ImageNet), speech (TIMIT), text (Reuters) and computational biology. One trap when reading code: here $p$ is the probability of *keeping* a unit, while most libraries take the probability of dropping one.
""",
    },
]

# Comments on summaries. A summary is named by (paper key, writer); "id" names a comment
# within this file so that replies can point at their parent.
COMMENTS = [
    {
        "id": "att-scale",
        "summary": ("attention", "tokafor"),
        "writer": "mkovacs",
        "body": (
            r"Nice write-up. The variance argument for the $\sqrt{d_k}$ is exactly the "
            r"paper's footnote: with independent components of mean 0 and variance 1, "
            r"$q \cdot k = \sum_{i=1}^{d_k} q_i k_i$ has mean 0 and variance $d_k$."
        ),
    },
    {
        "id": "att-scale-reply",
        "summary": ("attention", "tokafor"),
        "writer": "tokafor",
        "parent": "att-scale",
        "body": (
            r"Right, and dividing by $\sqrt{d_k}$ brings the variance back to 1 whatever "
            r"the head size, so the softmax temperature does not depend on $d_k$."
        ),
    },
    {
        "id": "att-scale-reply-2",
        "summary": ("attention", "tokafor"),
        "writer": "hlindqvist",
        "parent": "att-scale-reply",
        "body": (
            "Worth adding that this is an argument about initialisation. Nothing keeps the "
            "logits at unit variance once training starts, which is one reason some later "
            "large models normalise the queries and keys as well."
        ),
    },
    {
        "id": "att-mask",
        "summary": ("attention", "tokafor"),
        "writer": "rsilva",
        "body": (
            "The diagram helps a lot. For readers coming from RL like me: the mask is the only "
            "thing that makes the decoder autoregressive; the rest of the layer is the same "
            "as in the encoder."
        ),
    },
    {
        "id": "att-mask-reply",
        "summary": ("attention", "tokafor"),
        "writer": "lchen",
        "parent": "att-mask",
        "body": (
            r"In code it is a lower-triangular mask: logits with $j > i$ are set to "
            r"$-\infty$ before the softmax. There is a snippet in my summary of this paper."
        ),
    },
    {
        "id": "att-prenorm",
        "summary": ("attention", "lchen"),
        "writer": "tokafor",
        "body": (
            "This is the post-LN arrangement from the paper. Most later implementations put "
            "the LayerNorm at the start of each residual branch (pre-LN), which trains stably "
            "with little or no warm-up."
        ),
    },
    {
        "id": "att-prenorm-reply",
        "summary": ("attention", "lchen"),
        "writer": "lchen",
        "parent": "att-prenorm",
        "body": (
            "Good point. In PyTorch, `nn.TransformerEncoderLayer` takes `norm_first=True` for "
            "the pre-LN variant."
        ),
    },
    {
        "id": "rethink-sharp",
        "summary": ("rethinking-generalization", "hlindqvist"),
        "writer": "mkovacs",
        "body": (
            "The large-batch paper by Keskar et al. at the same ICLR gives a complementary "
            "view: large batches tend to find sharp minima that generalise worse. It would be "
            "great to have a summary of it here too."
        ),
    },
    {
        "id": "rethink-sharp-reply",
        "summary": ("rethinking-generalization", "hlindqvist"),
        "writer": "hlindqvist",
        "parent": "rethink-sharp",
        "body": (
            "Agreed, it is on my list. One caveat to keep in mind: sharpness depends on the "
            "parametrisation, and Dinh et al. (ICML 2017) showed that for ReLU networks a "
            "sharp minimum can be reparametrised into a flat one computing the same function."
        ),
    },
    {
        "id": "rethink-repro",
        "summary": ("rethinking-generalization", "hlindqvist"),
        "writer": "rsilva",
        "body": (
            "The random-label experiment is easy to reproduce with a small CNN on CIFAR-10. "
            "What surprised me is how little longer it takes to reach zero training loss."
        ),
    },
    {
        "id": "adam-bias",
        "summary": ("adam", "mkovacs"),
        "writer": "hlindqvist",
        "body": (
            r"With the defaults the bias correction matters a lot at the start: at $t = 1$, "
            r"$1 - \beta_2^t = 0.001$, so without it $v_1$ would be 1000 times too small."
        ),
    },
    {
        "id": "adam-bias-reply",
        "summary": ("adam", "mkovacs"),
        "writer": "mkovacs",
        "parent": "adam-bias",
        "body": (
            r"Yes, and $m_1$ would be 10 times too small while $\sqrt{v_1}$ would be about "
            r"32 times too small, so the uncorrected first step would be "
            r"$0.1 / \sqrt{0.001} \approx 3.2$ times larger than intended."
        ),
    },
    {
        "id": "adam-beta2",
        "summary": ("adam", "mkovacs"),
        "writer": "tokafor",
        "body": (
            r"For Transformers people usually lower $\beta_2$ to 0.98 or even 0.95; the "
            r"original Transformer paper used $\beta_2 = 0.98$."
        ),
    },
    {
        "id": "resnet-gradient",
        "summary": ("resnet", "lchen"),
        "writer": "rsilva",
        "body": (
            "The follow-up paper on identity mappings makes the gradient argument explicit: "
            r"with pure identity shortcuts, "
            r"$\frac{\partial \mathcal{E}}{\partial x_l} = "
            r"\frac{\partial \mathcal{E}}{\partial x_L} \left( 1 + \frac{\partial}{\partial x_l}"
            r" \sum_{i=l}^{L-1} \mathcal{F}(x_i, W_i) \right)$, "
            "so part of the gradient reaches every layer unchanged."
        ),
    },
    {
        "id": "gan-theory",
        "summary": ("gan", "lchen"),
        "writer": "hlindqvist",
        "body": (
            "A caveat on the theory: it assumes $D$ is optimal at every step and that the "
            r"update is made in the space of distributions $p_g$, not of parameters. With "
            r"$k = 1$ and neural networks, the result describes the idealised game only."
        ),
    },
    {
        "id": "vae-reinforce",
        "summary": ("vae", "hlindqvist"),
        "writer": "lchen",
        "body": (
            "The reparameterisation trick is the part I use most often, far outside VAEs. "
            "Is there an equally good trick for discrete latents?"
        ),
    },
    {
        "id": "vae-reinforce-reply",
        "summary": ("vae", "hlindqvist"),
        "writer": "hlindqvist",
        "parent": "vae-reinforce",
        "body": (
            "Not an exact one. The usual workaround is a continuous relaxation "
            "(Gumbel-softmax, or the Concrete distribution), which trades bias for variance; "
            "otherwise you are back to score-function estimators with control variates."
        ),
    },
    {
        "id": "dqn-target",
        "summary": ("dqn", "rsilva"),
        "writer": "mkovacs",
        "body": (
            r"How much do the two tricks matter on their own? Did they ablate replay and the "
            r"target network separately?"
        ),
    },
    {
        "id": "dqn-target-reply",
        "summary": ("dqn", "rsilva"),
        "writer": "rsilva",
        "parent": "dqn-target",
        "body": (
            "Yes, in the extended data, on five games: both help, and removing replay costs "
            "far more than removing the target network."
        ),
    },
    {
        "id": "bert-mask",
        "summary": ("bert", "tokafor"),
        "writer": "hlindqvist",
        "body": (
            "The 80/10/10 rule is the detail most reimplementations get wrong. Keeping 10% of "
            "the chosen tokens unchanged also forces the model to keep a good representation "
            "of every input token, not only the masked ones."
        ),
    },
    {
        "id": "dropout-p",
        "summary": ("dropout", "tokafor"),
        "writer": "mkovacs",
        "body": (
            r"Worth stressing: `torch.nn.Dropout(p)` takes the probability of *dropping* a "
            r"unit, and scales the kept units by $1 / (1 - p)$ during training (inverted "
            r"dropout) so that nothing changes at test time."
        ),
    },
    {
        "id": "ddpm-steps",
        "summary": ("ddpm", "lchen"),
        "writer": "tokafor",
        "body": (
            r"With $T = 1000$ sampling is slow. DDIM later showed how to sample from the same "
            r"trained model in far fewer steps, with a deterministic sampler."
        ),
    },
    {
        "id": "mixup-alpha",
        "summary": ("mixup", "mkovacs"),
        "writer": "rsilva",
        "body": r"How sensitive is it to $\alpha$? Is there a value that works everywhere?",
    },
    {
        "id": "mixup-alpha-reply",
        "summary": ("mixup", "mkovacs"),
        "writer": "mkovacs",
        "parent": "mixup-alpha",
        "body": (
            r"Not everywhere. On ImageNet they found $\alpha \in [0.1, 0.4]$ helps while "
            r"larger values underfit; on CIFAR-10 they used $\alpha = 1$."
        ),
    },
]

# (voter, (paper key, summary writer), value). Nobody votes on their own summary.
VOTES = [
    ("mkovacs", ("attention", "tokafor"), 1),
    ("lchen", ("attention", "tokafor"), 1),
    ("hlindqvist", ("attention", "tokafor"), 1),
    ("rsilva", ("attention", "tokafor"), 1),
    ("tokafor", ("attention", "lchen"), 1),
    ("mkovacs", ("attention", "lchen"), 1),
    ("rsilva", ("attention", "lchen"), 1),
    ("mkovacs", ("attention", "hlindqvist"), 1),
    ("rsilva", ("attention", "hlindqvist"), 1),
    ("lchen", ("attention", "hlindqvist"), -1),
    ("mkovacs", ("rethinking-generalization", "hlindqvist"), 1),
    ("lchen", ("rethinking-generalization", "hlindqvist"), 1),
    ("rsilva", ("rethinking-generalization", "hlindqvist"), 1),
    ("tokafor", ("rethinking-generalization", "hlindqvist"), 1),
    ("hlindqvist", ("adam", "mkovacs"), 1),
    ("tokafor", ("adam", "mkovacs"), 1),
    ("rsilva", ("adam", "mkovacs"), 1),
    ("lchen", ("batchnorm", "mkovacs"), 1),
    ("rsilva", ("batchnorm", "mkovacs"), 1),
    ("rsilva", ("mixup", "mkovacs"), 1),
    ("mkovacs", ("resnet", "lchen"), 1),
    ("tokafor", ("resnet", "lchen"), 1),
    ("rsilva", ("resnet", "lchen"), 1),
    ("hlindqvist", ("gan", "lchen"), 1),
    ("rsilva", ("gan", "lchen"), 1),
    ("tokafor", ("gan", "lchen"), -1),
    ("tokafor", ("ddpm", "lchen"), 1),
    ("mkovacs", ("ddpm", "lchen"), 1),
    ("lchen", ("vae", "hlindqvist"), 1),
    ("mkovacs", ("vae", "hlindqvist"), 1),
    ("mkovacs", ("dqn", "rsilva"), 1),
    ("lchen", ("dqn", "rsilva"), 1),
    ("tokafor", ("dqn", "rsilva"), 1),
    ("hlindqvist", ("bert", "tokafor"), 1),
    ("lchen", ("bert", "tokafor"), 1),
    ("mkovacs", ("bert", "tokafor"), 1),
    ("rsilva", ("bert", "tokafor"), 1),
    ("rsilva", ("dropout", "tokafor"), 1),
]
