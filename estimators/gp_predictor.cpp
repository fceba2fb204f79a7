#include "estimators/gp_predictor.h"

#include <cmath>
#include <cstdio>
#include <limits>

#include "core/errors.h"

namespace nas {
namespace {

// In-place lower Cholesky factor of the n x n row-major matrix `a`. Returns
// false when it is not (numerically) positive definite.
bool cholesky(std::vector<double>& a, std::size_t n) {
  for (std::size_t j = 0; j < n; ++j) {
    double d = a[j * n + j];
    for (std::size_t k = 0; k < j; ++k) d -= a[j * n + k] * a[j * n + k];
    if (!(d > 0)) return false;
    d = std::sqrt(d);
    a[j * n + j] = d;
    for (std::size_t i = j + 1; i < n; ++i) {
      double s = a[i * n + j];
      for (std::size_t k = 0; k < j; ++k) s -= a[i * n + k] * a[j * n + k];
      a[i * n + j] = s / d;
    }
    for (std::size_t k = j + 1; k < n; ++k) a[j * n + k] = 0;
  }
  return true;
}

// Solves L x = b in place.
void forward(const std::vector<double>& l, std::size_t n, std::vector<double>& b) {
  for (std::size_t i = 0; i < n; ++i) {
    double s = b[i];
    for (std::size_t k = 0; k < i; ++k) s -= l[i * n + k] * b[k];
    b[i] = s / l[i * n + i];
  }
}

// Solves L^T x = b in place.
void backward(const std::vector<double>& l, std::size_t n, std::vector<double>& b) {
  for (std::size_t i = n; i-- > 0;) {
    double s = b[i];
    for (std::size_t k = i + 1; k < n; ++k) s -= l[k * n + i] * b[k];
    b[i] = s / l[i * n + i];
  }
}

}  // namespace

std::vector<Prediction> Predictor::predict(const std::vector<Arch>& archs) const {
  std::vector<Prediction> out;
  out.reserve(archs.size());
  for (const Arch& a : archs) out.push_back(predict(a));
  return out;
}

GpPredictor::GpPredictor(const SearchSpace& space, GpOptions options)
    : space_(space), options_(std::move(options)) {
  if (options_.linear_weights.empty() || options_.thetas.empty() || options_.gammas.empty() ||
      options_.noises.empty()) {
    throw Error("gp predictor: every hyperparameter grid needs at least one value");
  }
}

GpPredictor::Input GpPredictor::input(const Arch& arch) const {
  space_.check(arch);
  Input in;
  if (options_.codes) {
    in.code = options_.codes(arch);
    if (!codes_.empty() && in.code.size() != codes_.front().code.size()) {
      throw Error("gp predictor: the code function returned " + std::to_string(in.code.size()) +
                  " codes, expected " + std::to_string(codes_.front().code.size()));
    }
  } else {
    in.code.resize(space_.num_decisions());
    for (std::size_t i = 0; i < space_.num_decisions(); ++i) {
      in.code[i] = space_.is_active(arch, i) ? arch.choices[i] : -1;
    }
  }
  if (options_.features) {
    in.extra = options_.features(arch);
    if (!feature_mean_.empty() && in.extra.size() != feature_mean_.size()) {
      throw Error("gp predictor: the feature function returned " +
                  std::to_string(in.extra.size()) + " features, expected " +
                  std::to_string(feature_mean_.size()));
    }
    for (std::size_t f = 0; f < in.extra.size() && f < feature_mean_.size(); ++f) {
      in.extra[f] = (in.extra[f] - feature_mean_[f]) / feature_scale_[f];
    }
  }
  return in;
}

double GpPredictor::kernel(const Input& a, const Input& b, const Hyper& h) {
  const std::size_t d = a.code.size();
  std::size_t match = 0;
  for (std::size_t i = 0; i < d; ++i) match += a.code[i] == b.code[i] ? 1 : 0;
  const double dd = static_cast<double>(d);
  double k = h.w * static_cast<double>(match) / dd;
  double r2 = 0;
  if (!a.extra.empty()) {
    double dot = 0;
    for (std::size_t f = 0; f < a.extra.size(); ++f) {
      r2 += (a.extra[f] - b.extra[f]) * (a.extra[f] - b.extra[f]);
      dot += a.extra[f] * b.extra[f];
    }
    const double e = static_cast<double>(a.extra.size());
    r2 /= e;
    k += h.v * dot / e;
  }
  const double rest = 1 - h.w - h.v;
  if (rest > 0) k += rest * std::exp(-h.theta * (dd - static_cast<double>(match)) / dd - h.gamma * r2);
  return k;
}

void GpPredictor::fit(const std::vector<Arch>& archs, const std::vector<double>& values) {
  if (archs.size() != values.size()) {
    throw Error("gp predictor: " + std::to_string(archs.size()) + " architectures but " +
                std::to_string(values.size()) + " values");
  }
  const std::size_t n = archs.size();
  if (n < 2) throw Error("gp predictor: needs at least 2 training points, got " + std::to_string(n));
  std::vector<double> y(n);
  for (std::size_t i = 0; i < n; ++i) {
    const double v = values[i];
    if (!std::isfinite(v) || (options_.log_target && !(v > options_.log_floor))) {
      char text[128];
      if (options_.log_target) {
        std::snprintf(text, sizeof text,
                      "gp predictor: training value %zu is %g, expected a number above %g", i, v,
                      options_.log_floor);
      } else {
        std::snprintf(text, sizeof text, "gp predictor: training value %zu is %g, expected a finite number",
                      i, v);
      }
      throw Error(text);
    }
    y[i] = options_.log_target ? std::log(v - options_.log_floor) : v;
  }

  // Features: standardise on the training set.
  feature_mean_.clear();
  feature_scale_.clear();
  std::vector<Input> inputs;
  inputs.reserve(n);
  for (const Arch& a : archs) inputs.push_back(input(a));  // raw features while means are empty
  if (options_.features) {
    const std::size_t f = inputs[0].extra.size();
    feature_mean_.assign(f, 0);
    feature_scale_.assign(f, 0);
    for (const Input& in : inputs) {
      if (in.extra.size() != f) throw Error("gp predictor: the feature function's length varies");
      for (std::size_t k = 0; k < f; ++k) feature_mean_[k] += in.extra[k] / static_cast<double>(n);
    }
    for (const Input& in : inputs) {
      for (std::size_t k = 0; k < f; ++k) {
        feature_scale_[k] += (in.extra[k] - feature_mean_[k]) * (in.extra[k] - feature_mean_[k]);
      }
    }
    for (std::size_t k = 0; k < f; ++k) {
      feature_scale_[k] = std::sqrt(feature_scale_[k] / static_cast<double>(n));
      if (!(feature_scale_[k] > 0)) feature_scale_[k] = 1;
    }
    for (Input& in : inputs) {
      for (std::size_t k = 0; k < f; ++k) in.extra[k] = (in.extra[k] - feature_mean_[k]) / feature_scale_[k];
    }
  }

  double mean = 0;
  for (double v : y) mean += v / static_cast<double>(n);
  double var = 0;
  for (double v : y) var += (v - mean) * (v - mean) / static_cast<double>(n);
  const double scale = var > 0 ? std::sqrt(var) : 1;
  for (double& v : y) v = (v - mean) / scale;

  const bool with_features = !feature_mean_.empty();
  const std::vector<double> zero{0.0};
  const std::vector<double>& gammas = with_features ? options_.gammas : zero;
  const std::vector<double>& feature_weights = with_features ? options_.feature_weights : zero;

  double best = -std::numeric_limits<double>::infinity();
  std::vector<double> best_chol, best_alpha;
  Hyper chosen;
  double best_s2 = 1;
  std::vector<double> k(n * n), base(n * n);
  for (double w : options_.linear_weights) {
    for (double v : feature_weights) {
      if (w + v > 1 + 1e-12) continue;
      const bool exp_term = w + v < 1 - 1e-12;
      for (double theta : options_.thetas) {
        if (!exp_term && theta != options_.thetas.front()) continue;
        for (double gamma : gammas) {
          if (!exp_term && gamma != gammas.front()) continue;
          Hyper h{w, v, theta, gamma, 0};
          for (std::size_t i = 0; i < n; ++i) {
            for (std::size_t j = 0; j <= i; ++j) {
              base[i * n + j] = base[j * n + i] = kernel(inputs[i], inputs[j], h);
            }
          }
          for (double noise : options_.noises) {
            k = base;
            for (std::size_t i = 0; i < n; ++i) k[i * n + i] += noise;
            if (!cholesky(k, n)) continue;
            std::vector<double> a = y;
            forward(k, n, a);
            double quad = 0;
            for (double x : a) quad += x * x;
            double logdet = 0;
            for (std::size_t i = 0; i < n; ++i) logdet += 2 * std::log(k[i * n + i]);
            // Profile likelihood over the scale: s2 = y^T C^-1 y / n.
            const double s2 = std::max(quad / static_cast<double>(n), 1e-12);
            const double ll = -0.5 * static_cast<double>(n) * std::log(s2) - 0.5 * logdet;
            if (ll > best) {
              best = ll;
              backward(k, n, a);
              best_alpha = a;
              best_chol = k;
              chosen = h;
              chosen.noise = noise;
              best_s2 = s2;
            }
          }
        }
      }
    }
  }
  if (best_alpha.empty()) throw Error("gp predictor: no hyperparameters gave a positive definite kernel");
  codes_ = std::move(inputs);
  y_mean_ = mean;
  y_scale_ = scale;
  hyper_ = chosen;
  s2_ = best_s2;
  alpha_ = std::move(best_alpha);
  chol_ = std::move(best_chol);
}

Prediction GpPredictor::predict(const Arch& arch) const {
  if (!fitted()) throw Error("gp predictor: predict before fit");
  const Input in = input(arch);
  const std::size_t n = codes_.size();
  std::vector<double> ks(n);
  double mu = 0;
  for (std::size_t i = 0; i < n; ++i) {
    ks[i] = kernel(in, codes_[i], hyper_);
    mu += ks[i] * alpha_[i];
  }
  forward(chol_, n, ks);
  double explained = 0;
  for (double v : ks) explained += v * v;
  const double self = kernel(in, in, hyper_);
  const double var = s2_ * (std::max(self - explained, 0.0) + hyper_.noise);
  const double m = y_mean_ + y_scale_ * mu;
  const double sd = y_scale_ * std::sqrt(var);
  Prediction p;
  if (options_.log_target) {
    const double gap = std::exp(m);  // to the floor
    p.mean = options_.log_floor + gap;
    p.std = gap * sd;
  } else {
    p.mean = m;
    p.std = sd;
  }
  return p;
}

std::vector<Prediction> GpPredictor::predict(const std::vector<Arch>& archs) const {
  std::vector<Prediction> out;
  out.reserve(archs.size());
  for (const Arch& a : archs) out.push_back(predict(a));
  return out;
}

std::string GpPredictor::describe() const {
  char text[160];
  std::snprintf(text, sizeof text, "gp n=%zu w=%g v=%g theta=%g gamma=%g noise=%g%s",
                codes_.size(), hyper_.w, hyper_.v, hyper_.theta, hyper_.gamma, hyper_.noise,
                options_.log_target ? " log" : "");
  return text;
}

}  // namespace nas
